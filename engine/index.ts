/** The engine's public surface: used by the n8n node, the CLI, the tests and the benchmarks. */
export { classifyImages, DEFAULT_BATCH_SIZE, type Classification, type ClassificationRequest, type ClassifyOptions } from './classify/classifyImages';
export { EngineError, ImageDecodeError, ModelFileError, errorMessage, type EngineErrorCode } from './errors';
export { decodeDataUrl } from './image/decodeDataUrl';
export { preprocessImage, type ImageInfo, type PreprocessOptions } from './image/preprocessImage';
export { DEFAULT_MAX_PIXELS, type PreprocessSpec, type Resampling } from './image/preprocessSpec';
export { ClipModel, TRAINED_LOGIT_SCALE, type ClipModelOptions } from './model/clipModel';
export { inspectModelFolder } from './model/inspectModelFolder';
export type { ModelDescriptor, ModelLayout } from './model/modelDescriptor';
export { ModelRegistry, sharedModelRegistry } from './model/modelRegistry';
export { DEFAULT_RUNTIME_OPTIONS, type RuntimeOptions } from './onnx/runtimeOptions';
export { selectBackend, setBackendLoaders, type BackendChoice, type BackendLoaders, type OnnxBackend } from './onnx/onnxBackend';
export { parseClassList } from './text/classList';
export { withModel, type ModelSelection } from './withModel';
export { buildPrompt, DEFAULT_PROMPT_TEMPLATE } from './text/promptTemplate';
