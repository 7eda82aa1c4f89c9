/**
 * The engine's public surface: used by the n8n node, the CLI, the tests and the benchmarks. The node
 * (nodes/) and the CLI (cli/) import the engine only from here and from engine/hub/index.ts (the
 * model downloads); eslint.config.mjs and test/architecture/publicSurfaces.test.ts enforce it, so
 * the files behind these exports can be reorganized freely. Nothing here loads onnxruntime: the
 * backend is required on the first inference (engine/onnx/onnxBackend.ts), which is what lets a
 * musl system fall back to WebAssembly.
 */

// Loading a model (a preset, Hub repo or folder) for the duration of a piece of work, sharing
// loaded models between executions, and the model itself for callers that drive it directly.
export { withModel, type ModelSelection } from './withModel';
export { ClipModel, TRAINED_LOGIT_SCALE, type ClipModelOptions } from './model/clipModel';
export { inspectModelFolder } from './model/inspectModelFolder';
export type { ModelDescriptor, ModelLayout } from './model/modelDescriptor';
export { ModelRegistry, sharedModelRegistry } from './model/modelRegistry';

// The operations: classify images into classes (with thresholds and multi-label matching), embed images.
export { classifyImages, DEFAULT_BATCH_SIZE, type Classification, type ClassificationRequest, type ClassifyOptions } from './classify/classifyImages';
export { checkedMatchRule, matchedClasses, type MatchRule } from './classify/matchedClasses';
export { classifyEmbeddings, type EmbeddingClassificationRequest, type EmbeddingClassifyOptions } from './classify/classifyEmbeddings';
export { embedImages, type ImageEmbeddingOptions, type ImageInput } from './embed/embedImages';
export { sigmoid, type ScoringKind, type ScoringRule } from './scoring/scoringRule';

// The process-wide image-embedding cache Classify and Embed Image share (its size is a node option
// and an environment variable).
export {
	DEFAULT_IMAGE_CACHE_MB,
	IMAGE_CACHE_ENV,
	ImageEmbeddingCache,
	imageCacheMegabytesFromEnv,
	imageEmbeddingKey,
	MEGABYTE,
	sharedImageEmbeddingCache,
} from './embed/imageEmbeddingCache';

// Classes from example images (or stored example embeddings): prototypes, their scoring, and the
// on-disk cache of example embeddings beside the models.
export { classifyEmbeddingsByExamples, classifyImagesByExamples, classifyStoredEmbeddingsByExamples } from './classify/classifyByExamples';
export { embedExampleFolder, type EmbeddedExampleFolder, type ExampleClassEmbeddings, type ExampleImageOptions } from './examples/embedExampleImages';
export { DEFAULT_TEXT_WEIGHT, exampleClassSet, type ExampleClassOptions, type ExampleClassSet } from './examples/exampleClasses';
export { EXAMPLE_CACHE_FOLDER, ExampleEmbeddingCache } from './examples/exampleEmbeddingCache';
export { readExampleFolder, type ExampleClassFiles, type ExampleFolder } from './examples/exampleFolder';
export { exampleModelKey } from './examples/exampleModelKey';
export { folderExampleClasses, type FolderExampleClasses, type FolderExampleOptions } from './examples/folderExampleClasses';
export { exampleScale, MAX_EXAMPLE_SCALE, SCORE_AT_PROTOTYPE } from './scoring/exampleScoring';

// Turning what a user typed into prompts: class lists, templates and template ensembles.
export { parseClassList } from './text/classList';
export { buildPrompt, DEFAULT_PROMPT_TEMPLATE } from './text/promptTemplate';
export { classPrompts, promptSetKey } from './text/classPrompts';
export { IMAGENET_ENSEMBLE_SOURCE, isPromptEnsembleName, parseTemplateList, PROMPT_ENSEMBLES, type PromptEnsembleName } from './text/promptEnsembles';

// Image input and preprocessing settings (the node's and CLI's options, and pipelines comparing pixels).
export { DCT_MARGIN } from './image/dctShrink';
export { decodeDataUrl } from './image/decodeDataUrl';
export { preprocessImage, type ImageInfo, type PreprocessOptions } from './image/preprocessImage';
export { DEFAULT_MAX_PIXELS, DEFAULT_RESAMPLING, parseResampling, RESAMPLINGS, type PreprocessSpec, type Resampling } from './image/preprocessSpec';

// The inference runtime: threads, and the native / WebAssembly backend choice.
export { DEFAULT_RUNTIME_OPTIONS, type RuntimeOptions } from './onnx/runtimeOptions';
export { selectBackend, setBackendLoaders, type BackendChoice, type BackendLoaders, type OnnxBackend } from './onnx/onnxBackend';

// Errors with stable codes, which the node turns into n8n errors naming the item.
export { EngineError, ImageDecodeError, ModelFileError, errorMessage, type EngineErrorCode } from './errors';
