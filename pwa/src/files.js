// Files the server makes: a visit's or an enterprise's official documents (PDF), a list's
// export (CSV / Excel, with the screen's filters) and a dossier's evidence package (ZIP),
// downloaded with progress and saved through a Blob link.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { ApiError, api } from './api.js';
import { addStrings, formatDate, t } from './i18n.js';
import { signInAgain, useApi } from './router.js';
import { Problem } from './ui.js';

addStrings({
  documents: '文书',
  documentsEmpty: '还没有文书：检查提交后由系统编号生成。',
  documentStatus: { current: '现行', superseded: '已更正' },
  viewPdf: '查看',
  downloadPdf: '下载',
  verifyCode: '核验码',
  exportAs: '导出',
  exportCsv: 'CSV',
  exportXlsx: 'Excel',
  exportHint: '按当前筛选条件导出全部记录',
  exporting: (done, total) => (total ? `导出中… ${done} / ${total}` : `导出中… 已写 ${done} 行`),
  exported: (rows) => `已导出 ${rows} 行，文件保留一天：`,
  downloadExport: '下载',
  downloaded: (mb) => `已下载 ${mb} MB`,
  downloadedOf: (mb, total) => `已下载 ${mb} MB / 共 ${total} MB`,
  saved: (name, mb) => `已保存 ${name}（${mb} MB）`,
  tooLarge: (total) => `文件较大（共 ${total} MB），已交给浏览器直接下载，进度请看浏览器的下载列表。`,
  resuming: '网络中断，正在从断点继续…',
  downloadFailed: { 400: '筛选条件有误：', 403: '无权下载这些记录。', 404: '找不到这些记录，或您无权下载。', 416: '断点续传失败，请重新下载。' },
  downloadOffline: '网络不可用，请联网后再下载。',
  packageTitle: '下载案卷',
  packageHint: '证据原件、文书、清单（manifest.csv / manifest.json）、审计记录和说明（README.txt），可用 sha256sum -c 逐一核对。',
  packageSince: '拍摄日期从',
  packageUntil: '至',
  packageCategory: '类别',
  packageDownload: '下载案卷（ZIP）',
}, {
  documents: 'Documents',
  documentsEmpty: 'No documents yet: the system numbers and issues them once the visit is submitted.',
  documentStatus: { current: 'Current', superseded: 'Superseded' },
  viewPdf: 'View',
  downloadPdf: 'Download',
  verifyCode: 'Verification code',
  exportAs: 'Export',
  exportCsv: 'CSV',
  exportXlsx: 'Excel',
  exportHint: 'Exports every record matching the current filters',
  exporting: (done, total) => (total ? `Exporting… ${done} / ${total}` : `Exporting… ${done} rows written`),
  exported: (rows) => `${rows} rows exported; the file is kept for a day: `,
  downloadExport: 'Download',
  downloaded: (mb) => `${mb} MB downloaded`,
  downloadedOf: (mb, total) => `${mb} MB of ${total} MB downloaded`,
  saved: (name, mb) => `Saved ${name} (${mb} MB)`,
  tooLarge: (total) => `A large file (${total} MB): handed to the browser to download directly; see its downloads list for progress.`,
  resuming: 'The connection dropped; resuming…',
  downloadFailed: { 400: 'The filters are not valid: ', 403: 'Not yours to download.', 404: 'Not found, or not yours to download.', 416: 'Could not resume; download again.' },
  downloadOffline: 'No network. Download again when you are back online.',
  packageTitle: 'Download the case file',
  packageHint: 'Original evidence, documents, manifests (manifest.csv / manifest.json), audit events and a README.txt; check every file with sha256sum -c.',
  packageSince: 'Taken from',
  packageUntil: 'to',
  packageCategory: 'Category',
  packageDownload: 'Download the case file (ZIP)',
});

const JOB_ROWS = 5000; // a longer list is exported by a job: the server writes the file, the screen shows progress
const POLL_MS = 1000;
const BLOB_LIMIT = 512 * 1024 * 1024; // above it, the browser downloads the file itself (a phone's memory)
const RETRIES = 3;
const mb = (bytes) => (bytes / 1048576).toFixed(1);

// ---------------------------------------------------------------- documents

export function DocumentList({ path }) {
  const { data, error } = useApi(path);
  return html`<div class="documents">
    <${Problem} error=${error} />
    ${data && data.length === 0 && html`<p class="muted small">${t('documentsEmpty')}</p>`}
    ${data?.length > 0 && html`<ul class="cards">${data.map((d) => html`<li key=${d.id} class="card document" data-kind=${d.kind}>
      <strong>${d.title}</strong>
      <span class="mono">${d.number}</span>
      <span class="badges">
        <span class=${d.status === 'current' ? 'badge valid' : 'badge missing'}>${t('documentStatus')[d.status]}</span>
        <span class="badge">${formatDate(d.issued_at)}</span>
      </span>
      <span class="muted">${t('verifyCode')} <a class="mono" href=${`/v/${d.code}`} target="_blank" rel="noopener">${d.code}</a></span>
      <span class="actions">
        <a href=${`/api/documents/${d.id}/pdf`} target="_blank" rel="noopener">${t('viewPdf')}</a>
        <a href=${`/api/documents/${d.id}/pdf`} download=${`${d.title}-${d.number}.pdf`}>${t('downloadPdf')}</a>
      </span>
    </li>`)}</ul>`}
  </div>`;
}

// ---------------------------------------------------------------- downloads

function filenameOf(response, fallback) {
  const header = response.headers.get('Content-Disposition') || '';
  const utf8 = header.match(/filename\*=UTF-8''([^;]+)/i);
  if (utf8) return decodeURIComponent(utf8[1]);
  return header.match(/filename="?([^";]+)"?/i)?.[1] || fallback;
}

function save(blob, name) {
  const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

async function failure(response) {
  if (response.status === 401) signInAgain();
  const body = await response.json().catch(() => null);
  const words = t('downloadFailed')[response.status];
  return new ApiError(response.status, { detail: words ? (response.status === 400 ? words + (body?.detail || '') : words) : body?.detail });
}

// GET `url` into a Blob, reporting { received, total } as bytes arrive; a connection
// dropped half way resumes with a Range request (If-Range: the same file, or all of the new
// one). Returns { blob, name }, or { direct: total } when the file was too large to hold
// and the browser was sent to download it itself.
export async function download(url, fallbackName, onProgress) {
  let chunks = [];
  let received = 0;
  let etag = null;
  let total = null;
  let response;
  for (let attempt = 0; ; attempt += 1) {
    const headers = received && etag ? { Range: `bytes=${received}-`, 'If-Range': etag } : {};
    try {
      response = await fetch(url, { credentials: 'same-origin', headers });
      if (!response.ok) throw await failure(response);
      if (response.status !== 206) { // the whole file (again)
        chunks = [];
        received = 0;
        total = Number(response.headers.get('Content-Length')) || null;
        etag = response.headers.get('ETag');
      }
      if (total > BLOB_LIMIT) {
        response.body.cancel();
        Object.assign(document.createElement('a'), { href: url, download: '' }).click();
        return { direct: total };
      }
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.length;
        onProgress({ received, total });
      }
      break;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (attempt >= RETRIES || !etag || !received) throw new ApiError(0, { detail: t('downloadOffline') });
      onProgress({ received, total, resuming: true });
      await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
    }
  }
  const type = response.headers.get('Content-Type') || 'application/octet-stream';
  return { blob: new Blob(chunks, { type }), name: filenameOf(response, fallbackName) };
}

// A download button's state: progress while it runs, then what was saved or went wrong.
function useDownload() {
  const [state, setState] = useState({ busy: false, progress: null, done: '', error: null });
  const run = async (url, name) => {
    setState({ busy: true, progress: { received: 0, total: null }, done: '', error: null });
    try {
      const got = await download(url, name, (progress) => setState((s) => ({ ...s, progress })));
      if (got.direct) return setState({ busy: false, progress: null, done: t('tooLarge')(mb(got.direct)), error: null });
      save(got.blob, got.name);
      setState({ busy: false, progress: null, done: t('saved')(got.name, mb(got.blob.size)), error: null });
    } catch (error) {
      setState({ busy: false, progress: null, done: '', error });
    }
  };
  return [state, run];
}

function Progress({ state }) {
  const { progress, done, error } = state;
  return html`
    ${progress && html`<div class="progress">
      ${progress.total ? html`<progress max=${progress.total} value=${progress.received}></progress>` : html`<progress></progress>`}
      <span role="status">${progress.resuming ? t('resuming')
        : progress.total ? t('downloadedOf')(mb(progress.received), mb(progress.total)) : t('downloaded')(mb(progress.received))}</span>
    </div>`}
    ${done && html`<p class="ok small" role="status">✓ ${done}</p>`}
    <${Problem} error=${error} />`;
}

// An export job (a list too long to export in one request): asked for under a fresh id,
// followed until its file is written, then a link to the file.
function useExportJob() {
  const [state, setState] = useState({ busy: false, job: null, error: null });
  const live = useRef(true);
  useEffect(() => () => { live.current = false; }, []);
  const start = async (list, format, query) => {
    const id = crypto.randomUUID();
    setState({ busy: true, job: null, error: null });
    try {
      let job = await api('/api/exports/jobs', { method: 'POST', body: { id, list, format, query } });
      while (live.current && (job.status === 'queued' || job.status === 'running')) {
        setState({ busy: true, job, error: null });
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        job = await api(`/api/exports/jobs/${id}`);
      }
      const error = job.status === 'failed' ? new ApiError(500, { code: job.error_code, params: job.error_params }) : null;
      if (live.current) setState({ busy: false, job, error });
    } catch (error) {
      if (live.current) setState({ busy: false, job: null, error });
    }
  };
  return [state, start];
}

function JobProgress({ state }) {
  const { job, error } = state;
  const running = job && (job.status === 'queued' || job.status === 'running');
  return html`
    ${running && html`<div class="progress">
      ${job.rows_total ? html`<progress max=${job.rows_total} value=${job.rows_done}></progress>` : html`<progress></progress>`}
      <span role="status">${t('exporting')(job.rows_done, job.rows_total)}</span>
    </div>`}
    ${job?.status === 'done' && html`<p class="ok small" role="status">✓ ${t('exported')(job.rows_done)}
      <a href=${`/api/exports/jobs/${job.id}/file`} download>⤓ ${t('downloadExport')}</a></p>`}
    <${Problem} error=${error} />`;
}

// 导出 CSV / Excel of a list: `path` is the export without its suffix (/api/exports/visits),
// `query` the list's filters (URLSearchParams or an object; limit and cursor are dropped).
// A list of more than JOB_ROWS rows (its `total`; or, when it is not counted, `unbounded`)
// is exported by a job with progress; a shorter one at once.
export function Export({ path, query = {}, total = null, unbounded = false }) {
  const [state, run] = useDownload();
  const [job, startJob] = useExportJob();
  const params = new URLSearchParams(query);
  params.delete('limit');
  params.delete('cursor');
  const suffix = params.toString() ? `?${params}` : '';
  const name = path.split('/').pop();
  const large = total == null ? unbounded : total > JOB_ROWS;
  const exportAs = (kind) => (large ? startJob(name, kind, Object.fromEntries(params))
    : run(`${path}.${kind}${suffix}`, `${name}.${kind}`));
  return html`<div class="export">
    <span class="muted small" title=${t('exportHint')}>${t('exportAs')}</span>
    ${[['csv', 'exportCsv'], ['xlsx', 'exportXlsx']].map(([kind, label]) => html`<button key=${kind} class="small"
      disabled=${state.busy || job.busy} aria-label=${`${t('exportAs')} ${t(label)}`} onClick=${() => exportAs(kind)}>
      ⤓ ${t(label)}</button>`)}
    <${Progress} state=${state} />
    <${JobProgress} state=${job} />
  </div>`;
}

// 下载案卷: an enterprise's evidence package, whole or by capture dates and category.
export function PackageDownload({ enterpriseId, categories }) {
  const [state, run] = useDownload();
  const [filters, setFilters] = useState({ since: '', until: '', category: '' });
  const set = (key) => (event) => setFilters((f) => ({ ...f, [key]: event.target.value }));
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
  const url = `/api/enterprises/${enterpriseId}/package.zip${query.toString() ? `?${query}` : ''}`;
  return html`<div class="package">
    <p class="muted small">${t('packageHint')}</p>
    <div class="package-filters">
      <label>${t('packageSince')}<input type="date" value=${filters.since} max=${filters.until || undefined} onInput=${set('since')} /></label>
      <label>${t('packageUntil')}<input type="date" value=${filters.until} min=${filters.since || undefined} onInput=${set('until')} /></label>
      <label>${t('packageCategory')}<select value=${filters.category} onChange=${set('category')}>
        <option value="">${t('all')}</option>
        ${categories.map((c) => html`<option key=${c} value=${c}>${t('media_categories')[c]}</option>`)}
      </select></label>
    </div>
    <button class="primary" disabled=${state.busy} onClick=${() => run(url, 'package.zip')}>⤓ ${t('packageDownload')}</button>
    <${Progress} state=${state} />
  </div>`;
}
