/** What the console tests read in the page: how much of noVNC's canvas is painted. */
import type { Page } from 'playwright-core';

/** Pixels of the console's canvas that are neither black nor transparent (0 when there is no canvas). */
export async function litPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const g = globalThis as any;
    const canvas = g.document.querySelector('[data-testid="console-screen"] canvas');
    if (!canvas || !canvas.width || !canvas.height) return 0;
    const data: Uint8ClampedArray = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && data[i]! + data[i + 1]! + data[i + 2]! > 30) lit++;
    return lit;
  });
}

/** Waits until the canvas has at least `min` lit pixels; answers the last count. */
export async function waitForLitPixels(page: Page, min: number, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  let lit = 0;
  while (Date.now() < end) {
    lit = await litPixels(page);
    if (lit >= min) return lit;
    await page.waitForTimeout(500);
  }
  return lit;
}
