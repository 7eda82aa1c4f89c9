'use strict';
/**
 * Jest globalSetup of the e2e suite: makes sure the n8n under test is installed (a no-op after the
 * first install, which takes ~4 minutes), so `npm run test:e2e` works on a fresh machine.
 */
const { install } = require('./n8nInstall');

module.exports = async function globalSetup() {
	install();
};
