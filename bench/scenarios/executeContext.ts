import { basename } from 'node:path';
import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

/** An item's image on disk, as n8n's filesystem binary-data mode keeps it. */
export interface BenchItem {
	readonly file: string;
	readonly mimeType: string;
}

/**
 * The part of IExecuteFunctions the node calls, enough to run execute() outside n8n: node
 * parameters from a record, binary data read from disk on demand (n8n's filesystem mode), no
 * credentials, failures not continued. `onLoad` sees every binary read (memory checkpoints).
 */
export function executeContext(items: readonly BenchItem[], parameters: Readonly<Record<string, unknown>>, readBinary: (file: string) => Promise<Buffer>, onLoad?: (count: number) => void): IExecuteFunctions {
	const input: INodeExecutionData[] = items.map((item, i) => ({
		json: { index: i },
		binary: { data: { data: '', id: `filesystem-v2:${item.file}`, mimeType: item.mimeType, fileName: basename(item.file) } },
	}));
	const node: INode = { id: 'bench', name: 'Zero-Shot Image Classification', type: 'n8n-nodes-zero-shot-image-classification.zeroShotImageClassification', typeVersion: 1, position: [0, 0], parameters: {} };
	const silent = (): void => undefined;
	let loads = 0;
	const context = {
		getInputData: () => input,
		getNode: () => node,
		getNodeParameter: (name: string, _index: number, fallback?: unknown) => {
			if (name in parameters) return parameters[name];
			if (fallback !== undefined) return fallback;
			throw new Error(`bench: no value for parameter "${name}"`);
		},
		continueOnFail: () => false,
		getCredentials: async () => {
			throw new Error('no credentials in the benchmark');
		},
		getExecutionCancelSignal: () => undefined,
		logger: { debug: silent, info: silent, warn: silent, error: silent },
		helpers: {
			assertBinaryData: (index: number, property: string) => {
				const binary = input[index].binary?.[property];
				if (!binary) throw new Error(`bench: item ${index} has no binary "${property}"`);
				return binary;
			},
			getBinaryDataBuffer: async (index: number) => {
				const buffer = await readBinary(items[index].file);
				onLoad?.(++loads);
				return buffer;
			},
		},
	};
	return context as unknown as IExecuteFunctions;
}

/** The node's parameters for a local model folder, classes as a comma-separated list. */
export function nodeParameters(modelFolder: string, classes: readonly string[], options: Record<string, unknown>): Record<string, unknown> {
	return {
		model: 'custom',
		customModel: modelFolder,
		imageSource: 'binary',
		binaryPropertyName: 'data',
		classes: classes.join(', '),
		promptTemplate: '',
		options,
	};
}

export function mimeTypeOf(file: string): string {
	const extension = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
	return extension === 'jpg' ? 'image/jpeg' : `image/${extension}`;
}
