/**
 * The demo page in real headless Chromium against the real gateway, worker and Redis: upload,
 * live frames, a 200-step drag that must not touch the network, a bad upload, a model picked
 * in the model picker (the iNaturalist bird model on a chickadee), Score-CAM with its progress, the example
 * photos and the How it works panel; /v1 paths belong to the REST API.
 */
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, resultsDir, startSystem, testImages, type RunningSystem } from "./system";

let system: RunningSystem | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  system = await startSystem();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

async function openPage(width = 1360, height = 900): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width, height } });
  page.setDefaultTimeout(120_000);
  await page.goto(system!.baseUrl);
  // ListModels answered: the model list holds the served model.
  await page.waitForFunction(() => (document.querySelector<HTMLSelectElement>("#model")?.value ?? "") !== "");
  // The example photos' thumbnails have loaded, so the tests that count requests see none of theirs.
  await page.waitForFunction(() => {
    const thumbnails = Array.from(document.querySelectorAll<HTMLImageElement>("[data-testid=example] img"));
    return thumbnails.length > 0 && thumbnails.every((img) => img.complete && img.naturalWidth > 0);
  });
  return page;
}

/** The one-line description a model's manifest (models/*.json) gives. */
function manifestDescription(manifest: string): string {
  return (JSON.parse(readFileSync(join(repoRoot, "models", manifest), "utf8")) as { description: string }).description;
}

/** Waits until every frame is in, the decoded frames are drawn, and the Completed AUC is shown. */
async function waitForAllFrames(page: Page): Promise<number> {
  await page.waitForFunction(() => {
    const counter = document.querySelector<HTMLElement>("[data-testid=frame-counter]");
    const total = Number(counter?.dataset.total ?? 0);
    return total > 0 && Number(counter?.dataset.arrived) === total && document.body.dataset.runState === "done"
      && document.querySelectorAll(".ticks .is-ready").length === total;
  });
  return Number(await page.getAttribute("[data-testid=frame-counter]", "data-total"));
}

describe("demo page", () => {
  it("streams the frames live, then moves the slider without a single request", async () => {
    const page = await openPage();
    // Every value the frame counter takes (each change's old value), to see the frames arrive one by one.
    await page.evaluate(() => {
      const counter = document.querySelector<HTMLElement>("[data-testid=frame-counter]")!;
      const seen: number[] = [];
      (window as unknown as { seenCounts: number[] }).seenCounts = seen;
      new MutationObserver((records) => records.forEach((r) => seen.push(Number(r.oldValue)))).observe(counter, {
        attributeFilter: ["data-arrived"],
        attributeOldValue: true,
      });
      // When the slider becomes usable: how many frames were in, and whether the job was still running.
      const slider = document.querySelector<HTMLInputElement>("[data-testid=slider]")!;
      new MutationObserver(() => {
        if (slider.disabled) return;
        (window as unknown as { sliderEnabledAt: unknown }).sliderEnabledAt ??= {
          arrived: Number(counter.dataset.arrived),
          runState: document.body.dataset.runState,
        };
      }).observe(slider, { attributeFilter: ["disabled"] });
    });

    await page.setInputFiles("[data-testid=file-input]", join(testImages, "chelsea.png"));
    const total = await waitForAllFrames(page);
    expect(total).toBe(21);
    expect(await page.textContent("[data-testid=frame-counter]")).toBe(`frames ${total} / ${total}`);
    const seenCounts = await page.evaluate(() => (window as unknown as { seenCounts: number[] }).seenCounts);
    const countSteps = [...seenCounts, total].filter((count, i, all) => i === 0 || count !== all[i - 1]);
    expect(countSteps).toEqual(Array.from({ length: total + 1 }, (_, i) => i));
    expect(await page.evaluate(() => (window as unknown as { sliderEnabledAt: unknown }).sliderEnabledAt)).toEqual({
      arrived: 2,
      runState: "running",
    });
    expect(await page.isEnabled("[data-testid=slider]")).toBe(true);
    expect(await page.isVisible("[data-testid=error]")).toBe(false);

    // Record which frame the stage shows while dragging.
    await page.evaluate(() => {
      const stage = document.querySelector<HTMLElement>("[data-testid=stage]")!;
      const shown: string[] = [stage.dataset.shownIndex ?? ""];
      (window as unknown as { shownFrames: string[] }).shownFrames = shown;
      new MutationObserver(() => shown.push(stage.dataset.shownIndex ?? "")).observe(stage, {
        attributes: true,
        attributeFilter: ["data-shown-index"],
      });
    });
    const resourcesBefore = await page.evaluate(() => performance.getEntriesByType("resource").length);
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));

    const box = (await page.locator("[data-testid=slider]").boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + 1, y);
    await page.mouse.down();
    expect(await page.textContent("[data-testid=slider-value]")).toBe("0 %");
    await page.mouse.move(box.x + box.width - 1, y, { steps: 200 });
    await page.mouse.up();

    expect(requests).toEqual([]);
    expect(await page.evaluate(() => performance.getEntriesByType("resource").length)).toBe(resourcesBefore);
    expect(Number(await page.inputValue("[data-testid=slider]"))).toBe(100);
    expect(await page.textContent("[data-testid=slider-value]")).toBe("100 %");
    const shownFrames = await page.evaluate(() => (window as unknown as { shownFrames: string[] }).shownFrames);
    expect(new Set(shownFrames).size).toBe(total);
    expect(await page.getAttribute("[data-testid=stage]", "data-shown-index")).toBe(String(total - 1));

    // At 100 % the whole image is back: its top-1 is the full image's top-1.
    const fullTop1 = await page.getAttribute("[data-testid=full-top1]", "data-label");
    expect(fullTop1).toBeTruthy();
    expect(await page.textContent("[data-testid=bars] li[data-rank='1'] .bar-label")).toBe(fullTop1);
    expect(await page.locator("[data-testid=bars] li").count()).toBe(3);
    // The heatmap overlay has faded out completely at 100 %.
    expect(await page.getAttribute("[data-testid=stage]", "data-overlay-opacity")).toBe("0.000");

    // The curve has a point per frame and the final AUC.
    expect(await page.getAttribute("[data-testid=curve] svg", "data-points")).toBe(String(total));
    const path = (await page.getAttribute("[data-testid=insertion-path]", "d")) ?? "";
    expect(path.match(/[ML]/g)?.length).toBe(total);
    expect(await page.textContent("[data-testid=auc]")).toMatch(/^Insertion AUC 0\.\d{3}$/);

    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, "demo-slider-at-100.png"), fullPage: true, animations: "disabled" });

    // Keyboard: Home goes to the first frame, each arrow press to the next frame.
    await page.focus("[data-testid=slider]");
    await page.keyboard.press("Home");
    expect(await page.textContent("[data-testid=slider-value]")).toBe("0 %");
    for (let i = 0; i < 7; i++) await page.keyboard.press("ArrowRight");
    expect(await page.textContent("[data-testid=slider-value]")).toBe("35 %");
    expect(Number(await page.getAttribute("[data-testid=stage]", "data-overlay-opacity"))).toBeGreaterThan(0);
    expect(requests).toEqual([]);

    await page.screenshot({ path: join(resultsDir, "demo-slider-at-35.png"), fullPage: true, animations: "disabled" });

    // The frames as an animated GIF, encoded in the page.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=gif]")]);
    const gifPath = join(resultsDir, download.suggestedFilename());
    await download.saveAs(gifPath);
    expect(download.suggestedFilename()).toBe("chelsea-saliency.gif");
    expect(readFileSync(gifPath).subarray(0, 6).toString("latin1")).toBe("GIF89a");
    await page.close();
  });

  it("rejects a text file with a clear message and stays usable", async () => {
    const page = await openPage(390, 844);
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));

    await page.setInputFiles("[data-testid=file-input]", {
      name: "notes.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("These are my notes, not a picture.\n"),
    });
    await page.locator("[data-testid=error]").waitFor({ state: "visible" });
    expect(await page.textContent("[data-testid=error]")).toContain("not an image");
    expect(requests).toEqual([]);
    expect(await page.isDisabled("[data-testid=explain]")).toBe(true);

    // The page goes on working: a real image after the bad one is explained, with the deletion curve.
    await page.check("#deletion");
    await page.setInputFiles("[data-testid=file-input]", join(testImages, "coffee.png"));
    await page.locator("[data-testid=error]").waitFor({ state: "hidden" });
    const total = await waitForAllFrames(page);
    expect(total).toBe(21);
    expect(await page.locator("[data-testid=bars] li").count()).toBe(3);
    expect(await page.textContent("[data-testid=auc]")).toMatch(/^Insertion AUC 0\.\d{3} · deletion AUC 0\.\d{3}$/);
    expect((await page.getAttribute("[data-testid=curve] .curve-deletion", "d"))?.match(/[ML]/g)?.length).toBe(total);
    expect(await page.isVisible("#curve-legend")).toBe(true);
    await page.screenshot({ path: join(resultsDir, "demo-phone-width.png"), fullPage: true, animations: "disabled" });

    // Explaining the runner-up class re-runs the job for that class.
    const runnerUp = await page.locator("[data-testid=target] option").nth(2);
    const runnerUpIndex = (await runnerUp.getAttribute("value")) ?? "";
    const runnerUpLabel = ((await runnerUp.textContent()) ?? "").replace(/ \([^)]*\)$/, "");
    await page.selectOption("[data-testid=target]", runnerUpIndex);
    await waitForAllFrames(page);
    expect(await page.textContent("#curve-title")).toBe(`Insertion curve: p(${runnerUpLabel})`);
    expect(await page.inputValue("[data-testid=target]")).toBe(runnerUpIndex);
    await page.close();
  });

  it("explains a bird with the iNaturalist bird model picked in the model picker", async () => {
    const page = await openPage();
    // Every served model is offered; the ImageNet model is the default.
    const offered = await page.locator("[data-testid=model] option").evaluateAll((options) =>
      options.map((option) => (option as HTMLOptionElement).value),
    );
    expect(offered).toEqual(["inat-bird", "inat-insect", "mobilenet_v2_1.0_224"]);
    expect(await page.inputValue("[data-testid=model]")).toBe("mobilenet_v2_1.0_224");
    expect(await page.textContent("[data-testid=model-description]")).toBe(manifestDescription("mobilenet_v2_1.0_224.json"));

    // The picked model's one-line description (its manifest's) shows under the picker.
    await page.selectOption("[data-testid=model]", "inat-bird");
    expect(await page.isVisible("[data-testid=model-description]")).toBe(true);
    expect(await page.textContent("[data-testid=model-description]")).toBe(manifestDescription("inat_bird.json"));
    // One line, not cut off.
    expect(
      await page.$eval("[data-testid=model-description]", (p) => p.scrollWidth <= p.clientWidth && p.getClientRects().length === 1),
    ).toBe(true);

    await page.setInputFiles("[data-testid=file-input]", join(testImages, "bird.bmp"));
    await waitForAllFrames(page);
    const chickadee = "Poecile atricapillus (Black-capped Chickadee)";
    expect(await page.getAttribute("[data-testid=full-top1]", "data-label")).toBe(chickadee);
    expect(await page.textContent("[data-testid=full-top1]")).toContain(chickadee);
    expect(await page.textContent("#curve-title")).toBe(`Insertion curve: p(${chickadee})`);
    expect(await page.textContent("[data-testid=target] option:nth-child(2)")).toContain(chickadee);
    expect(await page.isVisible("[data-testid=error]")).toBe(false);
    await page.screenshot({ path: join(resultsDir, "demo-inat-bird.png"), fullPage: true, animations: "disabled" });
    await page.close();
  });

  it("offers the example photos and explains one in one click", async () => {
    const page = await openPage();
    const photos = readdirSync(testImages).filter((file) => /\.(jpe?g|png|webp|gif|bmp)$/i.test(file)).sort();
    const examples = page.locator("[data-testid=example]");
    await examples.first().waitFor({ state: "visible" });
    expect(await examples.locator("span").allTextContents()).toEqual(photos.map((file) => file.replace(/\.[^.]+$/, "")));

    await examples.filter({ hasText: "eagle" }).click();
    await waitForAllFrames(page);
    expect(await page.textContent("[data-testid=file-name]")).toBe("eagle.jpg");
    expect(await page.getAttribute("[data-testid=full-top1]", "data-label")).toMatch(/^bald eagle/);

    // How it works: Grad-CAM's steps with this image's numbers, the default layer's 7×7 maps.
    await page.click("[data-testid=how] summary");
    const channels = page.locator("[data-testid=how-channel]");
    expect(await channels.count()).toBe(6);
    expect(await channels.locator("figcaption").allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^k=\d+ {2}w=-?\d/)]),
    );
    for (const id of ["how-channel", "how-sum", "how-relu"]) {
      expect(await page.locator(`[data-testid=${id}] canvas`).first().evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height])).toEqual([7, 7]);
    }
    expect(await page.textContent("[data-testid=how-body]")).toContain("1280 feature maps A_k of 7×7");
    await page.locator("[data-testid=how-heatmap] img").waitFor({ state: "visible" });
    await page.locator("[data-testid=how]").screenshot({ path: join(resultsDir, "demo-how-it-works.png"), animations: "disabled" });

    // A method that does not weight whole maps says so instead.
    await page.selectOption("[data-testid=method]", { label: "LayerCAM" });
    await page.click("[data-testid=explain]");
    await page.locator("[data-testid=how-note]").waitFor({ state: "visible" });
    await page.close();
  });

  it("explains with Score-CAM picked in the method list, showing its scoring progress", async () => {
    const page = await openPage();
    await page.evaluate(() => {
      const status = document.querySelector<HTMLElement>("[data-testid=status]")!;
      const seen: string[] = [];
      (window as unknown as { statuses: string[] }).statuses = seen;
      new MutationObserver(() => seen.push(status.textContent ?? "")).observe(status, { childList: true, characterData: true, subtree: true });
    });
    await page.selectOption("[data-testid=method]", { label: "Score-CAM" });
    await page.setInputFiles("[data-testid=file-input]", join(testImages, "coffee.png"));
    await waitForAllFrames(page);

    const statuses = await page.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
    expect(statuses).toContain("Scoring channels 0/64 (Score-CAM)…");
    expect(statuses).toContain("Scoring channels 64/64 (Score-CAM)…");
    expect(statuses).toContain("Rendering frames (scorecam)…");
    expect(await page.isVisible("[data-testid=error]")).toBe(false);
    await page.close();
  });

  it("compares every method on the image, ranked, and loads the one chosen into the slider", async () => {
    const page = await openPage();
    await page.setInputFiles("[data-testid=file-input]", join(testImages, "chelsea.png"));
    await waitForAllFrames(page);
    const methods = await page.locator("[data-testid=method] option").count();

    await page.click("[data-testid=compare]");
    await page.waitForFunction(() => document.querySelector<HTMLElement>("[data-testid=compare-panel]")?.dataset.state === "done");

    const results = page.locator("[data-testid=compare-result]");
    expect(await results.count()).toBe(methods);
    const scores = (await results.evaluateAll((buttons) => buttons.map((b) => Number((b as HTMLElement).dataset.score))));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(await results.first().textContent()).toMatch(/^1\. .+ · ins 0\.\d\d · del 0\.\d\d · top-1 at (\d+ %|never)$/);
    await page.screenshot({ path: join(resultsDir, "demo-compare.png"), fullPage: true, animations: "disabled" });

    // The last-ranked method is loaded into the slider: the method list shows it and its frames stream in.
    const label = ((await results.last().locator("span").textContent()) ?? "").split(" · ")[0]!.replace(/^\d+\. /, "");
    await results.last().click();
    expect(await page.getAttribute("body", "data-run-state")).toBe("running");
    await waitForAllFrames(page);
    expect(await page.locator("[data-testid=method] option:checked").textContent()).toBe(label);
    await page.close();
  });

  it.runIf(process.env.UPDATE_DOCS_SCREENSHOT === "1")("updates docs/demo-screenshot.png", async () => {
    const page = await openPage(1360, 860);
    await page.check("#deletion");
    await page.setInputFiles("[data-testid=file-input]", join(testImages, "coffee.png"));
    await waitForAllFrames(page);
    await page.focus("[data-testid=slider]");
    await page.keyboard.press("Home");
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
    expect(await page.textContent("[data-testid=slider-value]")).toBe("20 %");
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    mkdirSync(resolve(repoRoot, "docs"), { recursive: true });
    await page.screenshot({ path: resolve(repoRoot, "docs/demo-screenshot.png"), animations: "disabled" });
    await page.close();
  });

  it("leaves /v1 to the REST API: JSON there, the page for every other path", async () => {
    const models = await fetch(`${system!.baseUrl}/v1/models`);
    expect(models.status).toBe(200);
    expect(((await models.json()) as { models: unknown[] }).models.length).toBeGreaterThan(0);
    const unknown = await fetch(`${system!.baseUrl}/v1/no-such-route`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/json");
    expect(((await unknown.json()) as { message: string }).message).toContain("no REST route GET /v1/no-such-route");
    const page = await fetch(`${system!.baseUrl}/some/page`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
  });
});
