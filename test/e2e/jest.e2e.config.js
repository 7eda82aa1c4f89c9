/**
 * Jest configuration of the real-n8n end-to-end suite (npm run test:e2e), kept apart from the main
 * jest.config.js (which ignores test/e2e/): every test here starts real n8n processes, which take
 * seconds each and minutes to install.
 * @type {import('jest').Config}
 */
module.exports = {
	rootDir: '../..',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.{js,ts}'],
	testEnvironment: 'node',
	// The suite's own files are CommonJS; TypeScript e2e tests (if any) go through ts-jest.
	transform: { '^.+\\.ts$': 'ts-jest' },
	// Installs n8n into the cache folder unless it is already there (idempotent).
	globalSetup: '<rootDir>/test/e2e/globalSetup.js',
	// One n8n at a time: the machine has 2 cores and each n8n process needs ~1 of them to start.
	maxWorkers: 1,
	// A test may run several workflows (~4-8 s each) and a Community Nodes install (npm install).
	testTimeout: 15 * 60_000,
	slowTestThreshold: 60,
};
