/** The engine's public surface: used by the n8n node, the CLI, the tests and the benchmarks. */
export { classifyImages, DEFAULT_BATCH_SIZE, type Classification, type ClassificationRequest, type ClassifyOptions } from './classify/classifyImages';
export { classifyEmbeddings, type EmbeddingClassificationRequest, type EmbeddingClassifyOptions } from './classify/classifyEmbeddings';
export {
	DEFAULT_IMAGE_CACHE_MB,
	IMAGE_CACHE_ENV,
	ImageEmbeddingCache,
	imageCacheMegabytesFromEnv,
	imageEmbeddingKey,
	MEGABYTE,
	sharedImageEmbeddingCache,
} from './embed/imageEmbeddingCache';
export { embedImages, type ImageEmbeddingOptions, type ImageInput } from './embed/embedImages';
export { sigmoid, type ScoringKind, type ScoringRule } from './scoring/scoringRule';
export { classPrompts, promptSetKey } from './text/classPrompts';
export { IMAGENET_ENSEMBLE_SOURCE, isPromptEnsembleName, parseTemplateList, PROMPT_ENSEMBLES, type PromptEnsembleName } from './text/promptEnsembles';
export { EngineError, ImageDecodeError, ModelFileError, errorMessage, type EngineErrorCode } from './errors';
export { DCT_MARGIN } from './image/dctShrink';
export { decodeDataUrl } from './image/decodeDataUrl';
export { preprocessImage, type ImageInfo, type PreprocessOptions } from './image/preprocessImage';
export { DEFAULT_MAX_PIXELS, DEFAULT_RESAMPLING, parseResampling, RESAMPLINGS, type PreprocessSpec, type Resampling } from './image/preprocessSpec';
export { ClipModel, TRAINED_LOGIT_SCALE, type ClipModelOptions } from './model/clipModel';
export { inspectModelFolder } from './model/inspectModelFolder';
export type { ModelDescriptor, ModelLayout } from './model/modelDescriptor';
export { ModelRegistry, sharedModelRegistry } from './model/modelRegistry';
export { DEFAULT_RUNTIME_OPTIONS, type RuntimeOptions } from './onnx/runtimeOptions';
export { selectBackend, setBackendLoaders, type BackendChoice, type BackendLoaders, type OnnxBackend } from './onnx/onnxBackend';
export { parseClassList } from './text/classList';
export { withModel, type ModelSelection } from './withModel';
export { buildPrompt, DEFAULT_PROMPT_TEMPLATE } from './text/promptTemplate';
export { checkedMatchRule, matchedClasses, type MatchRule } from './classify/matchedClasses';
