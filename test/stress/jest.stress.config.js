/**
 * `npm run test:stress`: fuzzing, concurrency, soak and cancellation (issue 6). Same test
 * environment and generated models as `npm test`; run in band so that timings and memory
 * readings are not disturbed by other test files.
 * @type {import('jest').Config}
 */
module.exports = {
	rootDir: '../..',
	preset: 'ts-jest',
	testEnvironment: '<rootDir>/test/jestEnvironment.js',
	roots: ['<rootDir>/test/stress'],
	testMatch: ['**/*.stress.test.ts'],
	globalSetup: '<rootDir>/test/globalSetup.ts',
	testTimeout: 300000,
};
