// The reviewer's desk: uploads and submitted visits waiting for review, oldest first.
// A large preview (tap to zoom), the photo's visit, checklist item, control point and
// caption, EXIF time and place, the flags; accept, or return with a reason. A visit is
// reviewed with its whole record, its signature images with it (not one by one).
// Keyboard: A accept, R return (type the reason, Enter sends), J/K next/previous.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api, ApiError } from '../api.js';
import { addStrings, t } from '../i18n.js';
import { Flags, formatDuration, formatTime, Preview, takenAt } from '../media.js';
import { Link, signInAgain, useApi, usePages } from '../router.js';
import { Problem } from '../ui.js';
import { RecordBody } from './visitRecord.js';

addStrings(
  {
    review: '审核',
    reviewPhotos: '照片',
    reviewVisits: '检查记录',
    allCategories: '全部类别',
    allFlags: '全部',
    allRegions: '全部地区',
    filterCategory: '按类别筛选',
    filterFlag: '按提示筛选',
    filterRegion: '按地区筛选',
    queueEmpty: '审核队列已清空，没有等待审核的照片。',
    reviewVisitsEmpty: '没有等待审核的检查记录。',
    position: (i, n, more) => `第 ${i} / ${n}${more ? '+' : ''} 项`,
    previous: '上一项',
    next: '下一项',
    accept: '通过',
    returnIt: '退回',
    reason: '退回原因（检查人员会看到）',
    reasonPlaceholder: '例如：照片模糊，请重新拍摄证照全貌',
    shortcuts: '快捷键：A 通过 · R 退回（填写原因后回车提交） · J 下一项 · K 上一项',
    accepted: (name) => `已通过：${name}`,
    returned: (name) => `已退回：${name}`,
    capturedAt: '拍摄时间',
    location: '拍摄位置',
    device: '拍摄设备',
    uploadedAt: '上传时间',
    size: '尺寸',
    unknown: '无记录',
    reviewVisit: '所属检查',
    reviewItem: '检查项',
    reviewPoint: '控制点',
    reviewCaption: '说明',
    reviewNoCaption: '检查人员未填写说明',
    reviewOpenRecord: '查看检查记录',
    reviewSignaturesTogether: '本次检查的签名随检查记录一并通过或退回。',
  },
  {
    review: 'Review',
    reviewPhotos: 'Photos',
    reviewVisits: 'Visits',
    allCategories: 'All categories',
    allFlags: 'All',
    allRegions: 'All regions',
    filterCategory: 'Filter by category',
    filterFlag: 'Filter by flag',
    filterRegion: 'Filter by region',
    queueEmpty: 'The queue is clear: no photos are waiting for review.',
    reviewVisitsEmpty: 'No submitted visits are waiting for review.',
    position: (i, n, more) => `${i} of ${n}${more ? '+' : ''}`,
    previous: 'Previous',
    next: 'Next',
    accept: 'Accept',
    returnIt: 'Return',
    reason: 'Reason for returning (the inspector sees it)',
    reasonPlaceholder: 'e.g. Blurred; photograph the whole licence again',
    shortcuts: 'Keys: A accept · R return (type the reason, Enter sends) · J next · K previous',
    accepted: (name) => `Accepted: ${name}`,
    returned: (name) => `Returned: ${name}`,
    capturedAt: 'Taken',
    location: 'Location',
    device: 'Device',
    uploadedAt: 'Uploaded',
    size: 'Size',
    unknown: 'Not recorded',
    reviewVisit: 'Visit',
    reviewItem: 'Checklist item',
    reviewPoint: 'Control point',
    reviewCaption: 'Caption',
    reviewNoCaption: 'No caption from the inspector',
    reviewOpenRecord: 'Open the visit record',
    reviewSignaturesTogether: "The visit's signatures are accepted or returned with it.",
  },
);

const CATEGORIES = ['evidence', 'premises', 'licence', 'notice', 'ledger', 'rectification', 'signature', 'other'];
const FLAGS = ['far_from_enterprise', 'far_from_visit_time', 'near_duplicate'];

// A keyset-paged review queue: the items loaded so far, the selected one, more on demand,
// and the decision on an item (POST /api/{reviewed}/{id}/review), which takes it off.
function useQueue(path, reviewed) {
  const list = usePages(path);
  const [index, setIndex] = useState(0);
  const [status, setStatus] = useState(''); // what the last decision did
  useEffect(() => setIndex(0), [path]);
  const { items, cursor, loading } = list;
  // Near the end of what is loaded: fetch the next page before it is needed.
  useEffect(() => {
    if (cursor && !loading && index >= items.length - 2) list.more();
  }, [index, items.length, cursor, loading]);
  return {
    ...list,
    index: Math.min(index, Math.max(items.length - 1, 0)),
    current: items[Math.min(index, items.length - 1)],
    move: (step) => setIndex((i) => Math.max(0, Math.min(items.length - 1, i + step))),
    status,
    decide: async (item, decision, reason) => {
      await api(`/api/${reviewed}/${item.id}/review`, { method: 'POST', body: { decision, reason } });
      list.drop(item.id);
      setStatus(t(decision === 'accept' ? 'accepted' : 'returned')(item.enterprise_name));
    },
  };
}

function Chips({ options, value, onChange, label }) {
  return html`<div class="chips" role="group" aria-label=${label}>
    ${options.map(([v, text]) => html`
      <button key=${v} class=${value === v ? 'chip on' : 'chip'} aria-pressed=${value === v} onClick=${() => onChange(v)}>${text}</button>`)}
  </div>`;
}

// Accept / return with a reason, and the keyboard shortcuts of the whole desk.
function Decision({ item, queue }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const reasonBox = useRef(null);
  useEffect(() => {
    setReason('');
    setError(null);
  }, [item.id]);

  const send = async (decision) => {
    if (busy) return;
    const text = reasonBox.current.value.trim(); // the box itself: a key may come before the next render
    if (decision === 'return' && !text) {
      reasonBox.current.focus();
      return setError(new Error(t('reason')));
    }
    setBusy(true);
    setError(null);
    try {
      await queue.decide(item, decision, text);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return signInAgain();
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  // One listener for the desk's life, calling this render's handlers. Attached in the same
  // task as the render (a layout effect): each item mounts a desk of its own, and a key
  // pressed as soon as the next item shows must not fall between two listeners.
  const latest = useRef(null);
  latest.current = { send, move: queue.move };
  useLayoutEffect(() => {
    const onKey = (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector('.viewer')) return;
      const { send, move } = latest.current;
      if (event.target.closest('input, textarea, select')) {
        if (event.target === reasonBox.current && event.key === 'Enter' && !event.shiftKey) {
          event.preventDefault();
          send('return');
        } else if (event.key === 'Escape') event.target.blur();
        return;
      }
      const key = event.key.toLowerCase();
      if (key === 'a') send('accept');
      else if (key === 'r') reasonBox.current.focus();
      else if (key === 'j') move(1);
      else if (key === 'k') move(-1);
      else return;
      event.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  return html`<div class="decision">
    <button class="primary accept" onClick=${() => send('accept')} disabled=${busy}>✓ ${t('accept')} <kbd>A</kbd></button>
    <label class="field">
      <span>${t('reason')}</span>
      <textarea ref=${reasonBox} rows="2" value=${reason} placeholder=${t('reasonPlaceholder')} maxlength="500"
        onInput=${(e) => setReason(e.target.value)} aria-label=${t('reason')}></textarea>
    </label>
    <button class="secondary danger" onClick=${() => send('return')} disabled=${busy}>↩ ${t('returnIt')} <kbd>R</kbd></button>
    <${Problem} error=${error} />
    <p class="muted shortcuts">${t('shortcuts')}</p>
  </div>`;
}

function Stepper({ queue }) {
  return html`<div class="stepper">
    <button class="secondary" onClick=${() => queue.move(-1)} disabled=${queue.index === 0}>← ${t('previous')} <kbd>K</kbd></button>
    <span class="muted">${t('position')(queue.index + 1, queue.items.length, !!queue.cursor)}</span>
    <button class="secondary" onClick=${() => queue.move(1)} disabled=${queue.index >= queue.items.length - 1}>${t('next')} <kbd>J</kbd> →</button>
  </div>`;
}

function PhotoDetails({ m }) {
  const place = m.latitude == null ? t('unknown')
    : `${m.latitude.toFixed(5)}, ${m.longitude.toFixed(5)}${m.altitude == null ? '' : ` · ${Math.round(m.altitude)} m`} (${t('location_sources')[m.location_source]})`;
  const v = m.visit_context;
  return html`
    <h2 class="enterprise-name">${m.enterprise_name}</h2>
    <p><span class="badge">${t('media_categories')[m.category]}</span></p>
    <${Flags} flags=${m.flags} />
    <dl class="photo-context">
      ${m.visit_id && html`<dt>${t('reviewVisit')}</dt><dd data-testid="photo-visit">
        <${Link} href=${`/visits/${m.visit_id}`}>${v ? `${formatTime(v.started_at) || ''} · ${t('visit_statuses')[v.status]}` : t('reviewOpenRecord')} →<//></dd>`}
      ${v?.item_key && html`<dt>${t('reviewItem')}</dt><dd data-testid="photo-item"><span class="mono">${v.item_key}</span> ${v.item_text}
        ${v.item_result && html` <span class=${v.item_result === 'fail' ? 'badge missing' : 'badge'}>${t('results')[v.item_result]}</span>`}</dd>`}
      ${m.control_point_name && html`<dt>${t('reviewPoint')}</dt><dd data-testid="photo-point">${m.control_point_name}</dd>`}
      <dt>${t('reviewCaption')}</dt><dd data-testid="photo-caption">${m.caption || html`<span class="muted">${t('reviewNoCaption')}</span>`}</dd>
      <dt>${t('capturedAt')}</dt><dd>${takenAt(m) || t('unknown')}</dd>
      <dt>${t('location')}</dt><dd class="mono">${place}</dd>
      <dt>${t('device')}</dt><dd>${[m.device_make, m.device_model].filter(Boolean).join(' ') || t('unknown')}</dd>
      <dt>${t('uploadedAt')}</dt><dd>${formatTime(m.uploaded_at)}</dd>
      <dt>${t('size')}</dt><dd>${[m.duration != null && formatDuration(m.duration), m.pages != null && t('pageCount')(m.pages),
        m.width && !m.pages && `${m.width}×${m.height}`, m.codec && m.codec.toUpperCase(), `${Math.round(m.size / 1024)} KB`]
        .filter(Boolean).join(' · ')}</dd>
    </dl>
    <${Link} href=${`/enterprises/${m.enterprise_id}/dossier`}>${t('openDossier')} →<//>`;
}

function PhotoQueue({ me }) {
  const [category, setCategory] = useState('');
  const [flag, setFlag] = useState('');
  const [region, setRegion] = useState('');
  const params = new URLSearchParams({ limit: '20' });
  if (category) params.set('category', category);
  if (flag) params.set('flag', flag);
  if (region) params.set('region', region);
  const queue = useQueue(`/api/media/review-queue?${params}`, 'media');
  const regions = useRegions(me);

  const m = queue.current;
  return html`
    <${Chips} label=${t('filterCategory')} value=${category} onChange=${setCategory}
      options=${[['', t('allCategories')], ...CATEGORIES.map((c) => [c, t('media_categories')[c]])]} />
    <${Chips} label=${t('filterFlag')} value=${flag} onChange=${setFlag}
      options=${[['', t('allFlags')], ...FLAGS.map((f) => [f, `⚠ ${t('mediaFlags')[f]}`])]} />
    ${regions.length > 1 && html`<${Chips} label=${t('filterRegion')} value=${region} onChange=${setRegion}
      options=${[['', t('allRegions')], ...regions.map((r) => [r.code, r.name])]} />`}
    <p class="muted" role="status">${queue.status}</p>
    <${Problem} error=${queue.error} />
    ${queue.loading && !m && html`<p class="muted">${t('loading')}</p>`}
    ${!queue.loading && !queue.error && !m && html`<p class="empty">✓ ${t('queueEmpty')}</p>`}
    ${m && html`<div class="desk" key=${m.id}>
      <div class="desk-preview"><${Preview} media=${m} /></div>
      <div class="desk-details">
        <${Stepper} queue=${queue} />
        <${PhotoDetails} m=${m} />
        <${Decision} item=${m} queue=${queue} />
      </div>
    </div>`}`;
}

// The next level of regions under the reviewer's own (cities of a province, counties
// of a city), as filter chips; none for a county. Without them the queue still works.
function useRegions(me) {
  const [regions, setRegions] = useState([]);
  const code = me.region_code;
  useEffect(() => {
    const level = !code ? 'city' : code.endsWith('0000') ? 'city' : code.endsWith('00') ? 'county' : null;
    if (level) api(`/api/regions?level=${level}${code ? `&under=${code}` : ''}`).then(setRegions, () => setRegions([]));
  }, [code]);
  return regions;
}

// A submitted visit as its record shows it (screens/visitRecord.js): every answer, photo
// and signature image; its signatures are decided with it.
function VisitDetails({ summary }) {
  const { data: v, error } = useApi(`/api/visits/${summary.id}`);
  return html`
    <h2 class="enterprise-name">${summary.enterprise_name}</h2>
    <p><span class="badge">${t('visit_types')[summary.visit_type]}</span>${' '}
      <${Link} href=${`/visits/${summary.id}`}>${t('reviewOpenRecord')} →<//></p>
    <p class="muted small">${t('reviewSignaturesTogether')}</p>
    <${Problem} error=${error} />
    ${v && html`<${RecordBody} visit=${v} />`}
    <${Link} href=${`/enterprises/${summary.enterprise_id}/dossier`}>${t('openDossier')} →<//>`;
}

function VisitQueue() {
  const queue = useQueue('/api/visits?status=submitted&ascending=true&limit=20', 'visits');
  const v = queue.current;
  return html`
    <p class="muted" role="status">${queue.status}</p>
    <${Problem} error=${queue.error} />
    ${queue.loading && !v && html`<p class="muted">${t('loading')}</p>`}
    ${!queue.loading && !queue.error && !v && html`<p class="empty">✓ ${t('reviewVisitsEmpty')}</p>`}
    ${v && html`<div class="desk visit-desk" key=${v.id}>
      <div class="desk-details">
        <${Stepper} queue=${queue} />
        <${VisitDetails} summary=${v} />
      </div>
      <div class="desk-details"><${Decision} item=${v} queue=${queue} /></div>
    </div>`}`;
}

export function Review({ me }) {
  const [kind, setKind] = useState('photos');
  return html`<main class="wide">
    <h1>${t('review')}</h1>
    <${Chips} label=${t('review')} value=${kind} onChange=${setKind}
      options=${[['photos', t('reviewPhotos')], ['visits', t('reviewVisits')]]} />
    ${kind === 'photos' ? html`<${PhotoQueue} me=${me} />` : html`<${VisitQueue} />`}
  </main>`;
}
