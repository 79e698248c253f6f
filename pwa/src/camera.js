// The camera button (a phone opens its camera; a computer offers its files): the visit's
// photos and videos, a retake of a returned photo, a follow-up's photo of a finding.
import { html } from 'htm/preact';

import { VIDEO_TYPES } from './media.js';

// Drawn, not an emoji: the same on every phone, whatever its fonts.
const CAMERA = html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 8h3l2-3h6l2 3h3v11H4z"
  fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" /><circle cx="12" cy="13" r="3.5"
  fill="none" stroke="currentColor" stroke-width="2" /></svg>`;
const VIDEO_CAMERA = html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><rect x="3" y="7" width="13" height="10"
  rx="2" fill="none" stroke="currentColor" stroke-width="2" /><path d="M16 11l5-3v8l-5-3z" fill="none" stroke="currentColor"
  stroke-width="2" stroke-linejoin="round" /></svg>`;

// The camera (a phone opens it; a computer offers its files): a photo, or with `video` a clip.
export function PhotoButton({ label, onFile, testid, video = false }) {
  const pick = (event) => {
    const [file] = event.target.files;
    event.target.value = '';
    if (file) onFile(file);
  };
  return html`<label class="photo-button" data-testid=${testid}>${video ? VIDEO_CAMERA : CAMERA} ${label}
    <input type="file" accept=${video ? VIDEO_TYPES : 'image/*'} capture="environment" class="hidden-input" onChange=${pick} /></label>`;
}
