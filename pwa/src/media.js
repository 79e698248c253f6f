// Photos, videos and documents in a dossier: their words, file addresses, a full-screen
// viewer with zoom, a video player, and an upload with progress. Used by the review queue,
// returned photos and the enterprise dossier.
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { ApiError, csrfToken } from './api.js';
import { addStrings, lang, t } from './i18n.js';

addStrings(
  {
    mediaFlags: {
      far_from_enterprise: '拍摄地点远离企业', far_from_visit_time: '拍摄时间远离检查时间', near_duplicate: '疑似重复照片',
    },
    closeViewer: '关闭',
    openDossier: '查看该企业档案',
    zoomHint: '点击图片放大或还原，双指可缩放',
    document: '文件（PDF）',
    openDocument: '打开文件',
    pageCount: (n) => `${n} 页`,
    video: '视频',
    previewMaking: '正在生成预览…',
    photoDamaged: '照片已损坏，无法显示，已退回重拍',
    uploading: (pct) => `正在上传… ${pct}%`,
    offlineUpload: '网络不可用，请恢复网络后重新上传。',
  },
  {
    mediaFlags: {
      far_from_enterprise: 'Taken far from the enterprise', far_from_visit_time: 'Taken far from the visit time',
      near_duplicate: 'Possible duplicate',
    },
    closeViewer: 'Close',
    openDossier: "Open the enterprise's dossier",
    zoomHint: 'Tap the image to zoom in or out; pinch to zoom',
    document: 'Document (PDF)',
    openDocument: 'Open document',
    pageCount: (n) => `${n} page${n === 1 ? '' : 's'}`,
    video: 'Video',
    previewMaking: 'Preview on its way…',
    photoDamaged: 'The photo is damaged and cannot be shown; it was returned for a retake',
    uploading: (pct) => `Uploading… ${pct}%`,
    offlineUpload: 'No network. Upload again when you are back online.',
  },
);

export const isDocument = (m) => m.mime === 'application/pdf';
export const isVideo = (m) => m.mime.startsWith('video/');
// The videos the server takes (MP4, MOV, WebM), and what an upload takes besides photos.
export const VIDEO_TYPES = 'video/mp4,video/quicktime,video/webm';
export const FILE_TYPES = `image/*,application/pdf,${VIDEO_TYPES}`;

// A video's length as m:ss (h:mm:ss past an hour).
export function formatDuration(seconds) {
  const s = Math.round(seconds);
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  const mmss = `${h ? String(m).padStart(2, '0') : m}:${String(s % 60).padStart(2, '0')}`;
  return h ? `${h}:${mmss}` : mmss;
}
export const mediaUrl = (m, variant) => `/api/media/${m.id}/${isDocument(m) ? 'original' : variant}`;

// A moment in Asia/Shanghai, as bureaus read it.
export const formatTime = (iso) =>
  iso
    ? new Date(iso).toLocaleString(lang, {
      timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    })
    : '';

// When a photo was taken and by which clock: the camera's own record (EXIF), else the
// phone's clock when the app took it; empty when neither is known.
export const takenAt = (m) => (m.captured_at
  ? `${formatTime(m.captured_at)}${m.captured_at_source ? `（${t('time_sources')[m.captured_at_source]}）` : ''}` : '');

export function Flags({ flags }) {
  return flags.length === 0 ? null : html`<span class="badges">
    ${flags.map((f) => html`<span class="badge missing flag" key=${f}>⚠ ${t('mediaFlags')[f] || f}</span>`)}
  </span>`;
}

// The original, full screen: tap toggles fit / actual size (then scroll to pan);
// pinch zooms the page. Escape or the button closes it.
export function Viewer({ media, onClose }) {
  const [zoomed, setZoomed] = useState(false);
  useEffect(() => {
    const key = (event) => event.key === 'Escape' && onClose();
    addEventListener('keydown', key);
    return () => removeEventListener('keydown', key);
  }, [onClose]);
  return html`<div class="viewer" role="dialog" aria-modal="true" aria-label=${media.caption || t('media_categories')[media.category]}>
    <button class="viewer-close" onClick=${onClose}>✕ ${t('closeViewer')}</button>
    <div class=${zoomed ? 'viewer-body zoomed' : 'viewer-body'}>
      <img src=${mediaUrl(media, 'original')} alt=${media.caption} onClick=${() => setZoomed(!zoomed)} />
    </div>
    <p class="viewer-hint">${t('zoomHint')}</p>
  </div>`;
}

// A large preview that opens the viewer; a document is a link to its file; a video plays
// in place, its poster frame (the thumbnail or preview) shown until it does. The browser
// asks for the original by byte ranges, so it starts at once and seeks anywhere.
// The server makes thumbnails and previews just after an upload (a job) and answers 404
// with Retry-After until then: a placeholder shows meanwhile, and the image is asked again.
const RETRY_MS = 2000;
const RETRIES = 30;

export function Preview({ media, variant = 'preview' }) {
  const [open, setOpen] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [waiting, setWaiting] = useState(false);
  useEffect(() => {
    if (!waiting || attempt >= RETRIES) return undefined;
    const timer = setTimeout(() => setAttempt(attempt + 1), RETRY_MS);
    return () => clearTimeout(timer);
  }, [waiting, attempt]);
  if (isDocument(media)) {
    return html`<a class="doc" href=${mediaUrl(media, 'original')} target="_blank" rel="noopener">${t('document')} · ${t('openDocument')}</a>`;
  }
  if (isVideo(media)) {
    return html`<video class="video" controls preload="metadata" playsinline poster=${mediaUrl(media, variant)}
      src=${mediaUrl(media, 'original')} aria-label=${`${t('video')} ${media.caption || t('media_categories')[media.category]}`}></video>`;
  }
  if (media.undecodable) {
    return html`<div class="preview waiting"><span class="placeholder">${t('photoDamaged')}</span></div>`;
  }
  const src = mediaUrl(media, variant) + (attempt ? `?try=${attempt}` : '');
  return html`
    <button class=${waiting ? 'preview waiting' : 'preview'} onClick=${() => setOpen(true)} aria-label=${t('zoomHint')}>
      ${waiting && html`<span class="placeholder">${t('previewMaking')}</span>`}
      <img key=${attempt} src=${src} alt=${media.caption || t('media_categories')[media.category]}
        loading=${attempt ? 'eager' : 'lazy'} onError=${() => setWaiting(true)} onLoad=${() => setWaiting(false)} />
    </button>
    ${open && html`<${Viewer} media=${media} onClose=${() => setOpen(false)} />`}`;
}

// Multipart upload of one file with its form fields, reporting progress (0..1); fetch
// cannot report an upload's progress, XMLHttpRequest can.
export function uploadMedia(fields, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) if (value != null && value !== '') form.append(key, value);
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/media');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: the status says enough
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, { detail: t('offlineUpload') }));
    xhr.send(form);
  });
}
