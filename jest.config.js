/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: '<rootDir>/test/jestEnvironment.js',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/stress/'],
	globalSetup: '<rootDir>/test/globalSetup.ts',
	testTimeout: 60000,
};
