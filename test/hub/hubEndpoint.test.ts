import { hubFileUrl, resolveHubEndpoint, resolveHubToken, resolveOfflineMode } from '../../engine/hub/hubEndpoint';

describe('resolveHubEndpoint', () => {
	it('uses the option first', () => {
		expect(resolveHubEndpoint('https://mirror.example', { HF_ENDPOINT: 'https://env.example' })).toBe('https://mirror.example');
	});

	it('uses HF_ENDPOINT when there is no option', () => {
		expect(resolveHubEndpoint(undefined, { HF_ENDPOINT: 'https://env.example' })).toBe('https://env.example');
	});

	it('defaults to https://huggingface.co', () => {
		expect(resolveHubEndpoint(undefined, {})).toBe('https://huggingface.co');
	});

	it('drops trailing slashes', () => {
		expect(resolveHubEndpoint('https://mirror.example/hub/', {})).toBe('https://mirror.example/hub');
	});

	it('refuses what is not an http(s) URL', () => {
		expect(() => resolveHubEndpoint('file:///etc', {})).toThrow(/must be an http\(s\) URL/);
	});

	it('refuses credentials embedded in the URL', () => {
		expect(() => resolveHubEndpoint('https://user:pass@mirror.example', {})).toThrow(/must not contain a user name or password/);
	});
});

describe('resolveHubToken', () => {
	it('uses the option first', () => {
		expect(resolveHubToken('hf_option', { HF_TOKEN: 'hf_env' })).toBe('hf_option');
	});

	it('uses HF_TOKEN when there is no option', () => {
		expect(resolveHubToken(undefined, { HF_TOKEN: 'hf_env' })).toBe('hf_env');
	});

	it('treats an empty token as none', () => {
		expect(resolveHubToken('', {})).toBeUndefined();
	});
});

describe('resolveOfflineMode', () => {
	it.each(['1', 'true', 'YES', 'on'])('is on for HF_HUB_OFFLINE=%s', (value) => {
		expect(resolveOfflineMode(undefined, { HF_HUB_OFFLINE: value })).toBe(true);
	});

	it.each(['', '0', 'false'])('is off for HF_HUB_OFFLINE=%p', (value) => {
		expect(resolveOfflineMode(undefined, { HF_HUB_OFFLINE: value })).toBe(false);
	});

	it('follows the option over the environment', () => {
		expect(resolveOfflineMode(false, { HF_HUB_OFFLINE: '1' })).toBe(false);
	});
});

describe('hubFileUrl', () => {
	it('builds the resolve URL, encoding the revision and each path segment', () => {
		expect(hubFileUrl('https://huggingface.co', 'owner/name', 'refs/pr/1', 'onnx/a b.onnx')).toBe('https://huggingface.co/owner/name/resolve/refs%2Fpr%2F1/onnx/a%20b.onnx');
	});
});
