/**
 * How many frames per second the simulator's codec can write versus read, for tickPrice-shaped messages.
 * Writing must comfortably outpace what IBApi can decode (~0.55-0.87 M tickPrice/s on two cores), or the simulator,
 * not the client, is what a throughput test measures.
 *
 * Run: npm run bench (builds bench/ into dist/ and runs every benchmark).
 */
import { tickPrice } from "../../src/sim/messages/market-data.js";
import { FrameReader } from "../../src/sim/wire/frame.js";
import { FrameBatch } from "../../src/sim/wire/frame-batch.js";
import { decodeMessage, encodeMessage } from "../../src/sim/wire/layout.js";

const FRAMES = 2_000_000;
/** Frames per flush: what one market-data timer tick would emit across all subscriptions. */
const FRAMES_PER_TICK = 1000;
const SERVER_VERSION = 193;

function measure(label: string, run: () => number): number {
  run(); // warm-up
  const started = process.hrtime.bigint();
  const frames = run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = frames / seconds;
  console.log(`${label.padEnd(44)} ${(rate / 1e6).toFixed(2)} M frames/s`);
  return rate;
}

const chunks: Buffer[] = [];
let bytes = 0;
const sink = {
  write: (chunk: Buffer) => {
    bytes += chunk.length;
    if (chunks.length < FRAMES / FRAMES_PER_TICK) chunks.push(chunk);
  },
};

const encodeRate = measure("encode (layout + batched framing)", () => {
  chunks.length = 0;
  bytes = 0;
  const batch = new FrameBatch(sink, () => {});
  for (let i = 0; i < FRAMES; i++) {
    const values = { tickerId: i % 100, tickType: 1 + (i % 2), price: 100 + (i % 997) / 100, size: "300", attrMask: 0 };
    batch.push(encodeMessage(tickPrice, values, SERVER_VERSION));
    if (i % FRAMES_PER_TICK === FRAMES_PER_TICK - 1) batch.flush();
  }
  batch.flush();
  return FRAMES;
});

// Re-chunk the encoded stream into 64 KiB pieces, as TCP would deliver it.
const stream = Buffer.concat(chunks);
const tcpChunks: Buffer[] = [];
for (let offset = 0; offset < stream.length; offset += 65536) tcpChunks.push(stream.subarray(offset, offset + 65536));

const decodeRate = measure("decode (incremental framing + layout)", () => {
  let frames = 0;
  let problems = 0;
  const reader = new FrameReader(
    {
      onFrame: (fields) => {
        frames++;
        problems += decodeMessage(tickPrice, fields, SERVER_VERSION).problems.length;
      },
      onCorrupt: (detail) => {
        throw new Error(detail);
      },
    },
    { expectHandshake: false },
  );
  for (const chunk of tcpChunks) reader.push(chunk);
  if (problems > 0) throw new Error(`${problems} decode problems`);
  return frames;
});

console.log(`${(bytes / FRAMES).toFixed(1)} bytes/frame; encode/decode ratio ${(encodeRate / decodeRate).toFixed(2)}`);
