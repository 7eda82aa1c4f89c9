import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * Access to private or gated models on the Hugging Face Hub (or a mirror). Public models
 * need no credential. The node passes accessToken/endpoint to the download manager, which
 * sends the token only to the endpoint's own host, never to the CDN it redirects to.
 */
export class HuggingFaceHubApi implements ICredentialType {
	name = 'huggingFaceHubApi';

	displayName = 'Hugging Face Hub API';

	icon: Icon = { light: 'file:huggingFaceHub.svg', dark: 'file:huggingFaceHub.dark.svg' };

	documentationUrl = 'https://huggingface.co/docs/hub/security-tokens';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'A "Read" access token from https://huggingface.co/settings/tokens. Needed for private and gated models only.',
		},
		{
			displayName: 'Endpoint URL',
			name: 'endpoint',
			type: 'string',
			default: 'https://huggingface.co',
			description: 'Base URL of the Hub. Change it only for a mirror or a self-hosted Hub proxy (the equivalent of HF_ENDPOINT).',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.endpoint || "https://huggingface.co"}}',
			url: '/api/whoami-v2',
		},
	};
}
