/**
 * Text cleaning before tokenization, as OpenCLIP's tokenizers do it. SigLIP was trained on
 * canonicalized text (lower case, no punctuation, single spaces): its scores collapse on prompts
 * written otherwise (open_clip #903, big_vision #187), so the engine cleans them the same way.
 * `none` leaves the prompt to the tokenizer (CLIP's tokenizer.json lowercases by itself).
 */
export type TextNormalization = 'none' | 'whitespace' | 'lower' | 'canonicalize';

// Python's string.punctuation, which open_clip's canonicalize_text strips.
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

function collapseWhitespace(text: string): string {
	return text.split(/\s+/).filter(Boolean).join(' ');
}

export function normalizeText(text: string, normalization: TextNormalization): string {
	switch (normalization) {
		case 'none':
			return text;
		case 'whitespace':
			return collapseWhitespace(text);
		case 'lower':
			return collapseWhitespace(text).toLowerCase();
		case 'canonicalize':
			// open_clip: "_" becomes a space, punctuation goes, lower case, whitespace collapsed.
			return collapseWhitespace(text.replace(/_/g, ' ').replace(PUNCTUATION, '').toLowerCase());
	}
}
