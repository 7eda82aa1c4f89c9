import { HuggingFaceHubApi } from '../../credentials/HuggingFaceHubApi.credentials';

describe('HuggingFaceHubApi credential', () => {
	const credential = new HuggingFaceHubApi();

	it('is registered as huggingFaceHubApi, shown as "Hugging Face Hub API" (the credential naming rule of n8n)', () => {
		expect(credential.name).toBe('huggingFaceHubApi');
		expect(credential.displayName).toBe('Hugging Face Hub API');
		expect(credential.documentationUrl).toMatch(/^https:\/\//);
	});

	it('keeps the access token in a password field', () => {
		expect(credential.properties.find((p) => p.name === 'accessToken')).toMatchObject({ type: 'string', typeOptions: { password: true } });
	});

	it('offers an endpoint defaulting to huggingface.co', () => {
		expect(credential.properties.find((p) => p.name === 'endpoint')).toMatchObject({ type: 'string', default: 'https://huggingface.co' });
	});

	it('authenticates with a Bearer header', () => {
		expect(credential.authenticate).toEqual({ type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } } });
	});

	it('is tested against whoami-v2 on the configured endpoint', () => {
		expect(credential.test.request.url).toBe('/api/whoami-v2');
		expect(credential.test.request.baseURL).toContain('$credentials.endpoint');
	});
});
