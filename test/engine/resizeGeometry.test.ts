import { resizeGeometry, roundHalfToEven } from '../../engine/image/resizeGeometry';

describe('resizeGeometry (shortest side, then centre crop)', () => {
	test('scales the shortest side to the target and floors the other, as transformers does', () => {
		expect(resizeGeometry(4220, 3017, 224, 'shortest')).toMatchObject({ resizedWidth: 313, resizedHeight: 224 });
		expect(resizeGeometry(3017, 4220, 224, 'shortest')).toMatchObject({ resizedWidth: 224, resizedHeight: 313 });
	});

	test('centres the crop with Python rounding (half to even)', () => {
		// (313 - 224) / 2 = 44.5 → 44; (315 - 224) / 2 = 45.5 → 46
		expect(resizeGeometry(4220, 3017, 224, 'shortest')).toMatchObject({ left: 44, top: 0, width: 224, height: 224 });
		expect(resizeGeometry(315, 224, 224, 'shortest')).toMatchObject({ left: 46, top: 0 });
	});

	test('keeps extreme aspect ratios exact (3000 x 40 becomes 16800 x 224)', () => {
		expect(resizeGeometry(3000, 40, 224, 'shortest')).toEqual({ resizedWidth: 16800, resizedHeight: 224, left: 8288, top: 0, width: 224, height: 224 });
	});

	test('squash ignores the aspect ratio', () => {
		expect(resizeGeometry(640, 100, 224, 'squash')).toEqual({ resizedWidth: 224, resizedHeight: 224, left: 0, top: 0, width: 224, height: 224 });
	});

	test('resizes to a larger shortest side before a smaller crop when asked', () => {
		expect(resizeGeometry(512, 512, 224, 'shortest', 256)).toEqual({ resizedWidth: 256, resizedHeight: 256, left: 16, top: 16, width: 224, height: 224 });
	});

	test('roundHalfToEven matches Python round()', () => {
		expect([0.5, 1.5, 2.5, 44.5, 45.5, 2.4, 2.6].map(roundHalfToEven)).toEqual([0, 2, 2, 44, 46, 2, 3]);
	});
});
