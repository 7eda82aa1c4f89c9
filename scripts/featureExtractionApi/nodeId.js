'use strict';
/** Node ids derived from the node's name: regenerating a workflow leaves its JSON unchanged. */
function nodeId(name) {
	let h = 0x811c9dc5;
	for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
	const hex = (n) => n.toString(16).padStart(8, '0');
	const a = hex(h);
	const b = hex(Math.imul(h, 0x9e3779b1) >>> 0);
	const c = hex(Math.imul(h ^ 0x5bd1e995, 0x85ebca6b) >>> 0);
	return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-8${c.slice(1, 4)}-${c}${a.slice(0, 4)}`;
}

module.exports = { nodeId };
