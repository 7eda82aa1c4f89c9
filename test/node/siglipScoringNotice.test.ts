/**
 * The editor's notice on Classify when the chosen preset carries no SigLIP logit scale and bias,
 * and the run-time error when a folder lacks them (the editor cannot look into a folder).
 */
import { NodeHelpers, NodeOperationError, type INodeParameters, type INodeProperties } from 'n8n-workflow';
import { loadPresets, type PresetManifest } from '../../engine/hub';
import { nodeProperties } from '../../nodes/ZeroShotImageClassification/actions/nodeProperties';
import { presetNeedsLogitValues } from '../../nodes/ZeroShotImageClassification/actions/classify/siglipScoringNotice';
import { sharedModelRegistry } from '../../engine';
import { ZeroShotImageClassification } from '../../nodes/ZeroShotImageClassification/ZeroShotImageClassification.node';
import { testImage } from '../fixtures/testImages';
import { testModelPaths } from '../fixtures/testModels';
import { runNodeInWorkflow } from '../n8nHarness/runNodeInWorkflow';

const presets = loadPresets();
const preset = (id: string) => presets.find((candidate) => candidate.id === id) as PresetManifest;
const notice = nodeProperties.find((property) => property.name === 'siglipScoringNotice') as INodeProperties;

/** Whether the editor shows the notice for these node parameters: n8n's own display rule. */
const description = new ZeroShotImageClassification().description;
const shown = (parameters: INodeParameters) =>
	NodeHelpers.displayParameter({ operation: 'classify', model: 'siglip2-vit-b-16-immich', options: {}, ...parameters }, notice, { typeVersion: 1 }, description);

afterAll(() => sharedModelRegistry.clear());

describe('which presets need the scale and bias typed in', () => {
	test('the Immich SigLIP 2 preset does: its separate towers carry neither and the preset pins neither', () => {
		expect(presetNeedsLogitValues(preset('siglip2-vit-b-16-immich'))).toBe(true);
	});

	test('the Hugging Face SigLIP preset does not: it downloads the combined graph the engine reads them from', () => {
		expect(presetNeedsLogitValues(preset('siglip-base-patch16-224'))).toBe(false);
	});

	test('no CLIP preset does: CLIP scores with a softmax, without a bias', () => {
		expect(presets.filter((candidate) => candidate.family === 'clip' && presetNeedsLogitValues(candidate))).toEqual([]);
	});

	test('a SigLIP preset that pins both values does not', () => {
		expect(presetNeedsLogitValues({ ...preset('siglip2-vit-b-16-immich'), logitScale: 117.3, logitBias: -12.9 })).toBe(false);
	});
});

describe('the notice', () => {
	test('is a notice right after the model parameters, for Classify only', () => {
		expect(notice).toMatchObject({ type: 'notice', displayOptions: { show: { operation: ['classify'] } } });
		expect(nodeProperties.indexOf(notice)).toBe(nodeProperties.findIndex((property) => property.name === 'customModel') + 1);
		expect(notice.displayName).toMatch(/set Logit Scale and Logit Bias under Options/);
	});

	test('leaves n8n able to order the node’s parameters by their display dependencies', () => {
		const parameters = NodeHelpers.getNodeParameters(description.properties, { operation: 'classify', model: 'siglip2-vit-b-16-immich', options: { logitBias: -12.9 } }, true, false, { typeVersion: 1 }, description);
		expect(parameters).toMatchObject({ model: 'siglip2-vit-b-16-immich', options: { logitBias: -12.9 } });
	});

	test('shows on Classify with a preset that needs the values while neither option is set', () => {
		expect(shown({})).toBe(true);
	});

	test('shows while the options are still at 0, which means "the model’s own"', () => {
		expect(shown({ options: { logitScale: 0, logitBias: 0 } })).toBe(true);
	});

	test('hides once Logit Scale or Logit Bias is set, negative biases and expressions included', () => {
		expect(shown({ options: { logitScale: 117.3, logitBias: -12.9 } })).toBe(false);
		expect(shown({ options: { logitBias: -12.9 } })).toBe(false);
		expect(shown({ options: { logitScale: '={{ $json.scale }}' } })).toBe(false);
	});

	test('does not show on Embed Image or Embed Text, which need neither value', () => {
		expect(shown({ operation: 'embedImage' })).toBe(false);
		expect(shown({ operation: 'embedText' })).toBe(false);
	});

	test('does not show for presets that carry the values, nor for a folder or repo the editor cannot look into', () => {
		for (const model of [...presets.filter((candidate) => !presetNeedsLogitValues(candidate)).map((candidate) => candidate.id), 'custom']) {
			expect({ model, shown: shown({ model }) }).toEqual({ model, shown: false });
		}
	});

	test('does not show when the model comes from an expression, whose value the editor does not know', () => {
		expect(shown({ model: "={{ $json.model }}" })).toBe(false);
	});
});

test('a SigLIP folder without scale and bias still fails at run time, naming the cause and the options that fix it', async () => {
	const result = await runNodeInWorkflow({
		nodeType: new ZeroShotImageClassification(),
		parameters: { model: 'custom', customModel: testModelPaths().siglipImmich.dir, classes: 'cat, dog' },
		items: [{ json: {}, binary: { data: { data: await testImage('stripes', 'png'), mimeType: 'image/png' } } }],
	});
	expect(result.error).toBeInstanceOf(NodeOperationError);
	expect(result.error?.message).toMatch(/is a SigLIP model that gives no logit scale and logit bias/);
	expect((result.error as NodeOperationError).description).toMatch(/Give the trained values as Logit Scale and Logit Bias/);
});
