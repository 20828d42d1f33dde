// Frames and timecodes: every render is 24 fps (the render spec), so a time on screen is HH:MM:SS:FF of it.

/** Frames per second of every clip Rushes renders; stepping, pins and drift are counted in these frames. */
export const FPS = 24;
/** One frame, in seconds. */
export const FRAME = 1 / FPS;

const pad = (n) => String(n).padStart(2, '0');

/** The frame on screen at `seconds` (the small epsilon keeps 1/24 * 24 from flooring to 0). */
export const frameAt = (seconds) => Math.max(0, Math.floor(seconds * FPS + 1e-6));

/** HH:MM:SS:FF for a whole number of frames. */
export function framesTimecode(frames) {
  const f = Math.max(0, Math.floor(frames));
  const s = Math.floor(f / FPS);
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}:${pad(f % FPS)}`;
}

/** HH:MM:SS:FF for a time in seconds (the frame on screen at that time). */
export const timecode = (seconds) => framesTimecode(frameAt(seconds));

/** "3s 07f": a short clock of whole seconds and frames (the A/B compare's readout). */
export const secondsFrames = (frames) => `${Math.floor(frames / FPS)}s ${pad(frames % FPS)}f`;
