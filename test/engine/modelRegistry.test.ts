import { ModelRegistry } from '../../engine';
import { testModelPaths } from '../fixtures/testModels';

describe('ModelRegistry', () => {
	const paths = testModelPaths();

	test('ten concurrent users of one model share a single load', async () => {
		const registry = new ModelRegistry(2);
		const seen = await Promise.all(Array.from({ length: 10 }, () => registry.use(paths.hf.dir, {}, async (model) => model)));
		expect(registry.loads).toBe(1);
		expect(new Set(seen).size).toBe(1);
		await registry.clear();
	});

	test('keeps at most maxLoaded models, releasing the least recently used idle one', async () => {
		const registry = new ModelRegistry(1);
		await registry.use(paths.hf.dir, {}, async () => undefined);
		await registry.use(paths.immich.dir, {}, async () => undefined);
		expect(registry.loadedCount).toBe(1);
		await registry.use(paths.hf.dir, {}, async () => undefined);
		expect(registry.loads).toBe(3);
		await registry.clear();
		expect(registry.loadedCount).toBe(0);
	});

	test('never releases a model while it is in use (the idle one goes instead)', async () => {
		const registry = new ModelRegistry(1);
		let proceed: () => void = () => undefined;
		const gate = new Promise<void>((resolve) => (proceed = resolve));
		const busy = registry.use(paths.hf.dir, {}, async (model) => {
			await gate;
			// Still usable: a released session would throw here.
			return (await model.embedPrompts(['a photo of a cat.']))[0].length;
		});
		await new Promise((r) => setTimeout(r, 50));
		await registry.use(paths.immich.dir, {}, async () => undefined);
		expect(registry.loadedCount).toBe(1);
		proceed();
		await expect(busy).resolves.toBe(32);
		await registry.clear();
	});

	test('a variant is a different model', async () => {
		const registry = new ModelRegistry(4);
		await registry.use(paths.hf.dir, {}, async () => undefined);
		await registry.use(paths.hf.dir, { variant: 'fp16' }, async () => undefined);
		expect(registry.loads).toBe(2);
		await registry.clear();
	});
});
