import { getPreset } from '../../engine/hub/presets';
import { resolveModelFolder } from '../../engine/hub/resolveModel';
import { MockHub } from './mockHub';
import { presetRepoFiles } from './mockRepos';
import { useIsolatedHubEnv } from './hubTestEnv';

const TOKEN = 'hf_secretTokenThatMustNeverBeShown';
const WRONG_TOKEN = 'hf_wrongTokenThatMustNeverBeShownEither';

describe('Hub authentication', () => {
	const env = useIsolatedHubEnv();
	let hub: MockHub;
	const preset = getPreset('clip-vit-base-patch32');
	beforeEach(async () => {
		hub = await MockHub.start();
		hub.addRepo({ repo: preset.source.repo, files: presetRepoFiles(preset), token: TOKEN });
	});
	afterEach(async () => {
		await hub.stop();
	});

	it('downloads a private repo with the right token', async () => {
		const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, token: TOKEN });

		expect(model.files).toContain('onnx/vision_model.onnx');
	});

	it('sends the token as a Bearer Authorization header to the endpoint', async () => {
		await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, token: TOKEN });

		const toEndpoint = hub.requests.filter((r) => r.host === new URL(hub.endpoint).host);
		expect(toEndpoint.length).toBeGreaterThan(0);
		expect(toEndpoint.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
	});

	it('keeps Authorization on a relative redirect that stays on the endpoint', async () => {
		await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, token: TOKEN });

		const sameHostTransfers = hub.requests.filter((r) => r.kind === 'resolve-cache');
		expect(sameHostTransfers.length).toBeGreaterThan(0);
		expect(sameHostTransfers.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
	});

	it('drops Authorization when a redirect leaves for another host', async () => {
		await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, token: TOKEN });

		const cdn = hub.requests.filter((r) => r.kind === 'cdn');
		expect(cdn.map((r) => r.host)).toEqual([new URL(hub.cdnOrigin).host, new URL(hub.cdnOrigin).host]);
		expect(cdn.every((r) => r.authorization === undefined)).toBe(true);
	});

	it('falls back to HF_TOKEN when no token option is given', async () => {
		process.env.HF_TOKEN = TOKEN;

		const model = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

		expect(model.files).toContain('onnx/text_model.onnx');
	});

	it('explains a 401 without a token: private, gated or missing, and where to set a token', async () => {
		const attempt = resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint });

		await expect(attempt).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
		await expect(attempt).rejects.toThrow(/HTTP 401.*private, gated or does not exist.*no access token was given.*"Hugging Face Hub" credential/);
	});

	it('explains a 401 with a wrong token without ever showing the token', async () => {
		const error = await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, token: WRONG_TOKEN }).then(
			() => undefined,
			(e: unknown) => e as Error,
		);

		expect(error?.message).toMatch(/HTTP 401.*access token was rejected/);
		expect(error?.message).toContain('Hub said: Invalid credentials in Authorization header: Bearer ***');
		expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(WRONG_TOKEN);
	});

	it('leaves nothing in the cache after a refusal', async () => {
		await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint }).catch(() => undefined);
		hub.clearRequests();

		await resolveModelFolder('clip-vit-base-patch32', { cacheDir: env.cacheDir(), endpoint: hub.endpoint, token: TOKEN });

		expect(hub.transfers(preset.source.repo, 'onnx/vision_model.onnx')).toHaveLength(1);
	});
});
