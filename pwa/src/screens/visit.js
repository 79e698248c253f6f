// A visit on site: start (time and GPS), answer the pinned checklist item by item with
// photos, record findings with rectification deadlines, post warning notices at control
// points, collect signatures, conclude and submit — all saved on the phone as it happens.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import LABELS from '../../../backend/documents/templates/labels.json';
import { ApiError } from '../api.js';
import { addStrings, formatDate, t } from '../i18n.js';
import { addPhoto, assessDraft, checklistById, colleagueName, isVideoShot, knownTeams, newDraft, newestChecklists, newId, problems,
  rememberMembers, submitDraft, teamOf, todayPaths } from '../fieldwork.js';
import { formatDuration } from '../media.js';
import { itemClass } from '../rules.js';
import { PhotoButton } from '../camera.js';
import { DocumentList } from '../files.js';
import { cachedApi, drafts, photos, reopen, subscribe } from '../outbox.js';
import { EarlierFindings } from './followUp.js';
import { reasonWords } from './outbox.js';
import { navigate, signInAgain } from '../router.js';
import { Problem, today } from '../ui.js';
import '../visits.js';

addStrings({
  visit: '现场检查',
  start: '开始检查（记录时间和定位）',
  startedAt: (time) => `开始于 ${time}`,
  gpsAt: (lat, lon) => `定位 ${lat.toFixed(5)}, ${lon.toFixed(5)}`,
  gpsNone: '未获得定位（已拒绝或无信号），照片将使用相机自带信息。',
  result: { pass: '合格', fail: '不合格', na: '不适用' },
  itemClass: LABELS.item_classes, // 重点项, 一般项: the words the record prints
  allItems: '全部',
  naReason: '合理缺项理由（必填）',
  naReasonNeeded: '不适用（合理缺项）须写明理由',
  limits: (min, max, unit) => `范围 ${min} – ${max} ${unit}`,
  outOfLimits: '超出范围，请核实',
  note: '备注',
  takePhoto: '拍照',
  takeVideo: '录像',
  videoOf: (length) => (length ? `视频 ${length}` : '视频'),
  photoNeeded: '不合格：需拍照取证',
  finding: '问题及整改要求',
  findingDescription: '问题描述',
  deadline: '整改期限',
  deadlinePast: '整改期限不能早于今天',
  controlPointsVisit: '关键控制点',
  pointPhoto: '拍摄现场',
  postNotice: '张贴警示语',
  chooseTemplate: '选择警示语模板',
  currentNotice: (code) => `现有警示语 ${code}（张贴新的将替换）`,
  noticePhoto: '拍摄张贴后的照片',
  noticeToPost: '待张贴',
  cancel: '取消',
  remove: '删除',
  openFindings: '待整改的问题',
  signatures: '签名',
  inspectorSigns: '检查人员签名',
  enterpriseSigns: '企业负责人签名',
  signerName: '签名人姓名',
  signHere: '请在框内签名',
  signAgain: '重新签名',
  refuses: '拒绝签字',
  witnessNote: '见证情况（见证人姓名、在场情况）',
  conclusionTitle: '检查结论',
  conclusionWords: LABELS.conclusions,
  ruledBy: (why) => `按检查表规则得出：${why}`,
  ruleWhen: (what, result, n) => (n > 1 ? `${what}${result} ${n} 项及以上` : `有${what}${result}`),
  anyItem: '检查项',
  otherwise: '未触及以上情形',
  submit: '提交检查（离线也可）',
  notReady: '提交前还需：',
  problemText: {
    notStarted: '开始检查', photoRequired: '为不合格项拍照：', deadlinePast: '修改过期的整改期限：',
    naReason: '写明合理缺项的理由：', keyItems: '检查更多重点项（已查/应查）：', allItems: '检查更多项目（已查/应查）：',
    inspectorSignature: '每位检查人员签名', enterpriseSignature: '企业负责人签名，或拒签并写明见证情况', noConclusion: '选择检查结论',
    verification: '核实回访的问题（未整改的写明原因和新期限）：',
  },
  submitted: '已提交，记录保存在本机，联网后自动发送。',
  visitRefused: '服务器拒收了这次检查的部分内容：',
  reopenToCorrect: '修改后重新提交',
  alreadyFiled: (status) => `这次检查已${status}，不能再修改。`,
  unanswered: (n) => `还有 ${n} 项未作答`,
  newVisit: '新建检查',
  checklist: '检查表',
  visitType: '检查类型',
  team: '检查组',
  teamOf: (names) => `与 ${names} 同组`,
  colleague: '同事',
  noTeam: '检查组至少两人。检查人员无权查看人员名单，只能沿用已安排给您的计划检查中的检查组；请先请科室安排一次计划检查。',
  createVisit: '创建并开始',
  offlineMissing: '离线且本机没有这家企业的资料：请联网后在“今日任务”打开一次。',
  previewRecord: '预览笔录',
  previewHint: '请企业负责人核对笔录内容后签名。提交后由系统编号，打印件与此内容一致（检查结束时间以提交时间为准）。',
  closePreview: '关闭预览',
  filedDocuments: '本次检查的文书',
}, {
  visit: 'Site visit',
  start: 'Start the visit (time and location)',
  startedAt: (time) => `Started ${time}`,
  gpsAt: (lat, lon) => `Location ${lat.toFixed(5)}, ${lon.toFixed(5)}`,
  gpsNone: 'No location (refused or no signal); photos keep their camera data.',
  result: { pass: 'Pass', fail: 'Fail', na: 'N/A' },
  itemClass: { key: 'Key item', general: 'General item' },
  allItems: 'All',
  naReason: 'Why it does not apply (required)',
  naReasonNeeded: 'Not applicable: say why',
  limits: (min, max, unit) => `Range ${min} – ${max} ${unit}`,
  outOfLimits: 'Out of range, please check',
  note: 'Note',
  takePhoto: 'Photo',
  takeVideo: 'Video',
  videoOf: (length) => (length ? `Video ${length}` : 'Video'),
  photoNeeded: 'Failed: a photo of the evidence is required',
  finding: 'Finding and rectification',
  findingDescription: 'What is wrong',
  deadline: 'Deadline',
  deadlinePast: 'The deadline cannot be before today',
  controlPointsVisit: 'Control points',
  pointPhoto: 'Photograph',
  postNotice: 'Post a warning notice',
  chooseTemplate: 'Choose a notice template',
  currentNotice: (code) => `Current notice ${code} (a new one replaces it)`,
  noticePhoto: 'Photograph it in place',
  noticeToPost: 'To post',
  cancel: 'Cancel',
  remove: 'Remove',
  openFindings: 'Open findings',
  signatures: 'Signatures',
  inspectorSigns: 'Inspector',
  enterpriseSigns: "Enterprise's representative",
  signerName: 'Name',
  signHere: 'Sign inside the box',
  signAgain: 'Sign again',
  refuses: 'Refuses to sign',
  witnessNote: 'Witness note (who saw it, who was present)',
  conclusionTitle: 'Conclusion',
  conclusionWords: { pass: 'Pass', pass_with_rectification: 'Pass, rectify by the deadline', fail: 'Fail' },
  ruledBy: (why) => `By the checklist's rule: ${why}`,
  ruleWhen: (what, result, n) => `${n > 1 ? `${n} or more` : 'a'} ${what.toLowerCase()} answered ${result}`,
  anyItem: 'checklist item',
  otherwise: 'none of the above',
  submit: 'Submit (works offline)',
  notReady: 'Before submitting:',
  problemText: {
    notStarted: 'start the visit', photoRequired: 'photograph the failed item ', deadlinePast: 'fix the past deadline of ',
    naReason: 'say why this item does not apply: ', keyItems: 'examine more key items (done/required):',
    allItems: 'examine more items (done/required):',
    inspectorSignature: 'every inspector signs', enterpriseSignature: 'the representative signs, or refuses with a witness note',
    noConclusion: 'choose a conclusion',
    verification: 'verify the earlier finding (a reason and a new deadline if not rectified): ',
  },
  submitted: 'Submitted: saved on this phone, sent when the network allows.',
  visitRefused: 'The server refused part of this visit:',
  reopenToCorrect: 'Correct it and submit again',
  alreadyFiled: (status) => `This visit was ${status}; it cannot change.`,
  unanswered: (n) => `${n} items not answered`,
  newVisit: 'New visit',
  checklist: 'Checklist',
  visitType: 'Visit type',
  team: 'Team',
  teamOf: (names) => `With ${names}`,
  colleague: 'Colleague',
  noTeam: 'A team has at least two inspectors. Inspectors cannot list staff, so an unplanned visit reuses the team of a visit planned for you; ask your office to plan one first.',
  createVisit: 'Create and start',
  offlineMissing: "Offline, and this enterprise's dossier is not on this phone: open it once from Today with a connection.",
  previewRecord: 'Preview the record',
  previewHint: "Let the enterprise's representative read the record before signing. Once submitted it is numbered; the printed record has these words (the end time is the time of submission).",
  closePreview: 'Close preview',
  filedDocuments: "This visit's documents",
});

const CHECKLIST_OF = { food_production: 'food-routine', special_equipment: 'special-equipment',
  industrial_products: 'industrial-routine', food_related_products: 'industrial-routine' };
const timeOf = (iso) => new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
const loadError = (error) => (error instanceof ApiError ? error : new Error(t('offlineMissing')));

// ---------------------------------------------------------------- pieces

// The phone's own copy; a video plays in place, its poster the server's once it is sent.
export function Thumb({ photo, onRemove }) {
  const url = useMemo(() => URL.createObjectURL(photo.blob), [photo.id]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  const words = t('videoOf')(photo.duration ? formatDuration(photo.duration) : '');
  return html`<span class=${isVideoShot(photo) ? 'thumb video' : 'thumb'}>
    ${isVideoShot(photo) ? html`<video src=${url} controls playsinline preload="metadata" aria-label=${words}
        poster=${photo.sent ? `/api/media/${photo.id}/preview` : undefined}></video><span class="small muted">${words}</span>`
      : html`<img src=${url} alt="" />`}
    ${onRemove && html`<button class="thumb-remove" aria-label=${t('remove')} onClick=${onRemove}>×</button>`}</span>`;
}

function SignaturePad({ photo, onSigned, label }) {
  const canvas = useRef(null);
  const drawing = useRef(false);
  const [again, setAgain] = useState(false);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const ratio = window.devicePixelRatio || 1;
    c.width = c.clientWidth * ratio;
    c.height = c.clientHeight * ratio;
    const ctx = c.getContext('2d');
    ctx.scale(ratio, ratio);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.lineWidth = 3;
    ctx.lineCap = 'round';
    ctx.strokeStyle = '#111';
  }, [photo?.id, again]);
  if (photo && !again) {
    return html`<div class="signed"><${Thumb} photo=${photo} />
      <button class="secondary" onClick=${() => setAgain(true)}>${t('signAgain')}</button></div>`;
  }
  const point = (e) => {
    const box = canvas.current.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  };
  const down = (e) => {
    drawing.current = true;
    canvas.current.setPointerCapture?.(e.pointerId);
    const ctx = canvas.current.getContext('2d');
    ctx.beginPath();
    ctx.moveTo(...point(e));
  };
  const move = (e) => {
    if (!drawing.current) return;
    const ctx = canvas.current.getContext('2d');
    ctx.lineTo(...point(e));
    ctx.stroke();
  };
  const up = () => {
    if (!drawing.current) return;
    drawing.current = false;
    canvas.current.toBlob((blob) => {
      onSigned(new File([blob], 'signature.png', { type: 'image/png' }));
      setAgain(false);
    }, 'image/png');
  };
  return html`<canvas ref=${canvas} class="signature-pad" aria-label=${label} title=${t('signHere')}
    onPointerDown=${down} onPointerMove=${move} onPointerUp=${up} onPointerLeave=${up}></canvas>`;
}

// Examined against required key items and items in all, when the version asks a number.
function Coverage({ ruled }) {
  const { examined, required } = ruled;
  if (!required) return null;
  const count = (label, n, of) => html`<span class=${n >= of ? 'badge valid' : 'badge missing'}>${label} ${n}/${of}</span>`;
  return html`<p class="badges" data-testid="coverage">
    ${count(t('itemClass').key, examined.key_items, required.key_items)}${count(t('allItems'), examined.items, required.items)}</p>`;
}

// A conclusion rule's line in words, e.g. 有重点项不合格.
const ruleText = (line) => (line.when
  ? t('ruleWhen')(line.when.class ? t('itemClass')[line.when.class] : t('anyItem'), t('result')[line.when.result], line.when.at_least ?? 1)
  : t('otherwise'));

function Item({ item, answer = {}, finding, shots, needsReason, onAnswer, onFinding, onPhoto, onRemovePhoto }) {
  const set = (change) => onAnswer({ ...answer, ...change });
  const mine = shots.filter((p) => p.item === item.key);
  const failed = answer.result === 'fail';
  const number = answer.number === undefined || answer.number === '' ? null : Number(answer.number);
  const outside = number !== null && (number < item.min || number > item.max);
  const cls = itemClass(item);
  const reason = needsReason && answer.result === 'na';
  return html`<li class=${`item ${answer.result || ''}`} data-item=${item.key} data-class=${cls}>
    <p class="item-text"><span class="mono">${item.key}</span> ${item.text}</p>
    <p class="badges small"><span class=${cls === 'key' ? 'badge item-class sev-critical' : 'badge item-class'}>${t('itemClass')[cls]}</span>
      <span class="muted">${item.legal_basis}</span></p>
    ${item.kind === 'pass_fail' && html`<div class="choices three">
      ${['pass', 'fail', 'na'].map((r) => html`<button class=${answer.result === r ? `answer on ${r}` : 'answer'}
        aria-pressed=${answer.result === r} onClick=${() => set({ result: answer.result === r ? null : r })}>${t('result')[r]}</button>`)}
    </div>`}
    ${item.kind === 'number' && html`<label class="number">
      <input type="number" inputmode="decimal" step="any" value=${answer.number ?? ''} aria-label=${item.text}
        onInput=${(e) => set({ number: e.target.value, result: null })} />
      <span>${item.unit}</span></label>
      <p class=${outside ? 'problem small' : 'muted small'}>${outside ? t('outOfLimits') : t('limits')(item.min, item.max, item.unit)}</p>`}
    ${item.kind === 'text' && html`<textarea rows="3" aria-label=${item.text} value=${answer.text || ''}
      onInput=${(e) => set({ text: e.target.value })}></textarea>`}
    ${item.kind === 'choice' && html`<div class="choices">
      ${item.choices.map((c) => html`<button class=${answer.choice === c ? 'answer on' : 'answer'} aria-pressed=${answer.choice === c}
        onClick=${() => set({ choice: answer.choice === c ? null : c })}>${c}</button>`)}
    </div>`}
    ${item.kind !== 'pass_fail' && html`<button class=${answer.result === 'na' ? 'answer on na small-answer' : 'answer small-answer'}
      aria-pressed=${answer.result === 'na'} onClick=${() => set({ result: answer.result === 'na' ? null : 'na' })}>${t('result').na}</button>`}
    <input class="note" placeholder=${reason ? t('naReason') : t('note')} aria-label=${`${item.key} ${reason ? t('naReason') : t('note')}`}
      value=${answer.note || ''} onInput=${(e) => set({ note: e.target.value })} />
    ${reason && !(answer.note || '').trim() && html`<p class="problem small">${t('naReasonNeeded')}</p>`}
    <div class="photos">
      ${mine.map((p) => html`<${Thumb} key=${p.id} photo=${p} onRemove=${() => onRemovePhoto(p)} />`)}
      <${PhotoButton} label=${t('takePhoto')} testid=${`photo-${item.key}`} onFile=${onPhoto} />
      <${PhotoButton} label=${t('takeVideo')} testid=${`video-${item.key}`} onFile=${onPhoto} video />
    </div>
    ${failed && item.photo_required_on_fail && mine.length === 0 && html`<p class="problem small">${t('photoNeeded')}</p>`}
    ${failed && html`<fieldset class="finding"><legend>${t('finding')}</legend>
      <textarea rows="2" placeholder=${t('findingDescription')} aria-label=${`${item.key} ${t('findingDescription')}`}
        value=${finding?.description || ''} onInput=${(e) => onFinding({ description: e.target.value })}></textarea>
      <label>${t('deadline')} <input type="date" min=${today()} value=${finding?.deadline || ''}
        aria-label=${`${item.key} ${t('deadline')}`} onInput=${(e) => onFinding({ deadline: e.target.value })} /></label>
      ${finding?.deadline && finding.deadline < today() && html`<p class="problem small">${t('deadlinePast')}</p>`}
    </fieldset>`}
  </li>`;
}

// The record as it will print (pwa/src/paper.js, loaded on first use), full screen; its
// photos and signatures are this phone's own copies.
function RecordPreview({ draft, checklist, enterprise, shots, me, onClose }) {
  const [state, setState] = useState({});
  useEffect(() => {
    const urls = [];
    const url = (p) => urls[urls.push(URL.createObjectURL(p.blob)) - 1];
    import('../paper.js')
      .then(async ({ recordContext, renderPaper }) => renderPaper(await recordContext({
        draft, checklist, enterprise, team: teamOf(draft, me), shots, url, now: new Date().toISOString() })))
      .then((paper) => setState({ paper }), (error) => setState({ error }));
    return () => urls.forEach((u) => URL.revokeObjectURL(u));
  }, []);
  return html`<div class="paper-preview" role="dialog" aria-modal="true" aria-label=${t('previewRecord')}>
    <div class="paper-bar"><strong>${t('previewRecord')}</strong>
      <button class="viewer-close" onClick=${onClose}>✕ ${t('closePreview')}</button></div>
    <p class="small">${t('previewHint')}</p>
    <${Problem} error=${state.error} />
    ${state.paper ? html`<iframe class="paper" title=${t('previewRecord')} sandbox="allow-same-origin" srcdoc=${state.paper}></iframe>`
      : !state.error && html`<p class="muted">${t('loading')}</p>`}
  </div>`;
}

// ---------------------------------------------------------------- the visit

async function loadVisit(id, me) {
  let draft = await drafts.get(id);
  if (!draft) {
    const visit = (await cachedApi(`/api/visits/${id}`)).data;
    if (visit.status !== 'planned') return { filed: visit.status };
    rememberMembers(visit.members);
    const enterprise = (await cachedApi(`/api/enterprises/${visit.enterprise_id}`)).data;
    const { enterprise_id, checklist_id, visit_type, planned_date, team } = visit;
    draft = newDraft(me, enterprise, { id, enterprise_id, checklist_id, visit_type, planned_date, team }, true);
  }
  const eid = draft.enterprise.id;
  const optional = (path) => cachedApi(path).then((r) => r.data).catch(() => []);
  const [enterprise, checklist, templates, notices, findings, shots] = await Promise.all([
    cachedApi(`/api/enterprises/${eid}`).then((r) => r.data), checklistById(draft.plan.checklist_id),
    optional('/api/notice-templates'), optional(`/api/enterprises/${eid}/notices`), optional(`/api/enterprises/${eid}/findings`),
    photos.ofVisit(id),
  ]);
  return { draft, enterprise, checklist, templates, notices, findings, shots };
}

export function Visit({ params: [id], me }) {
  const [ctx, setCtx] = useState(null);
  const [error, setError] = useState(null);
  const [draft, setDraft] = useState(null);
  const [shots, setShots] = useState([]);
  const [choosing, setChoosing] = useState(null); // the control point whose notice template is being chosen
  const [tried, setTried] = useState(false);
  const [preview, setPreview] = useState(false);
  const latest = useRef(null); // the draft as last saved: async steps (photos, GPS) build on it, not on a stale render
  const [refusals, setRefusals] = useState([]); // this visit's requests the server refused
  useEffect(() => subscribe(({ ops }) => setRefusals(ops.filter((op) => op.visit === id && op.status === 'failed'))), [id]);

  useEffect(() => {
    loadVisit(id, me).then((loaded) => {
      setCtx(loaded);
      latest.current = loaded.draft || null;
      setDraft(latest.current);
      setShots(loaded.shots || []);
    }).catch((e) => (e instanceof ApiError && e.status === 401 ? signInAgain() : setError(loadError(e))));
  }, [id]);

  if (error) return html`<main><${Problem} error=${error} /></main>`;
  if (!ctx) return html`<main><p class="muted">${t('loading')}</p></main>`;
  if (ctx.filed) {
    return html`<main><p class="empty">${t('alreadyFiled')(t('visitStatus')[ctx.filed])}</p>
      <h2>${t('filedDocuments')}</h2><${DocumentList} path=${`/api/visits/${id}/documents`} /></main>`;
  }

  const { enterprise, checklist, templates, notices, findings } = ctx;
  const locked = draft.status !== 'draft';
  const save = (change) => {
    const base = latest.current;
    const next = { ...base, ...(typeof change === 'function' ? change(base) : change) };
    latest.current = next;
    setDraft(next);
    drafts.put(next);
  };
  const photo = async (file, attrs) => {
    const p = await addPhoto(draft, file, attrs);
    setShots((old) => [...old, p]);
    return p;
  };
  const removePhoto = async (p) => {
    await photos.remove(p.id);
    setShots((old) => old.filter((o) => o.id !== p.id));
  };
  const start = () => {
    save({ started_at: new Date().toISOString() });
    navigator.geolocation?.getCurrentPosition(
      (pos) => save({ latitude: pos.coords.latitude, longitude: pos.coords.longitude }),
      () => null, { enableHighAccuracy: true, timeout: 15000, maximumAge: 300000 });
  };
  const answer = (key, value) => save((d) => ({
    answers: { ...d.answers, [key]: value },
    findings: value.result === 'fail' && !d.findings[key]
      ? { ...d.findings, [key]: { id: newId(), description: '', deadline: '' } } : d.findings,
  }));
  const signer = (key, change) => save((d) => ({ signatures: { ...d.signatures, [key]: { ...d.signatures[key], ...change } } }));
  const sign = async (key, file) => {
    const old = latest.current.signatures[key].photo;
    const p = await photo(file, { category: 'signature', signer: key });
    if (old) await removePhoto({ id: old });
    signer(key, { photo: p.id });
  };
  const items = checklist.sections.flatMap((s) => s.items);
  const todo = problems(draft, checklist, shots);
  const ruled = assessDraft(draft, checklist, shots);
  const unanswered = items.filter((i) => !draft.answers[i.key]?.result && !draft.answers[i.key]?.choice
    && !draft.answers[i.key]?.text && (draft.answers[i.key]?.number ?? '') === '').length;
  const submit = async () => {
    setTried(true);
    if (todo.length) return;
    await submitDraft(latest.current, checklist, me);
    navigate('/outbox');
  };
  const byId = Object.fromEntries(shots.map((p) => [p.id, p]));
  const currentNotice = Object.fromEntries(notices.filter((n) => n.status === 'current').map((n) => [n.control_point_id, n]));
  const open = findings.filter((f) => f.status === 'open');

  return html`<main class="visit">
    <h1>${enterprise.name}</h1>
    <p class="muted">${t('visitTypes')[draft.plan.visit_type]} · ${checklist.title} v${checklist.version} · ${formatDate(draft.plan.planned_date)}</p>
    ${locked && html`<p class="offline-note" role="status">${t('submitted')}</p>`}
    ${locked && refusals.length > 0 && html`<div class="problem" role="alert" data-testid="refusals">${t('visitRefused')}
      <ul>${refusals.map((op) => html`<li key=${op.id}>${op.kind === 'media' ? t(op.video ? 'takeVideo' : 'takePhoto') : t('visit')}：${reasonWords(op.error)?.join(' ')}</li>`)}</ul>
      ${refusals.some((op) => op.kind !== 'media') && html`<button class="secondary" onClick=${async () => {
        await reopen(id);
        save({ status: 'draft' });
      }}>${t('reopenToCorrect')}</button>`}
    </div>`}
    ${!draft.started_at ? html`<button class="primary" onClick=${start}>${t('start')}</button>` : html`
      <p class="muted">${t('startedAt')(timeOf(draft.started_at))} ·
        ${draft.latitude !== null ? t('gpsAt')(draft.latitude, draft.longitude) : t('gpsNone')}</p>`}
    <${EarlierFindings} open=${open} draft=${draft} shots=${shots} locked=${locked} save=${save} onPhoto=${photo} onRemovePhoto=${removePhoto} />
    ${draft.started_at && html`<fieldset disabled=${locked} class="visit-body">
      <${Coverage} ruled=${ruled} />
      ${checklist.sections.map((section) => html`<section key=${section.title}>
        <h2>${section.title}</h2>
        <ol class="items">${section.items.map((item) => html`<${Item} key=${item.key} item=${item} answer=${draft.answers[item.key]}
          finding=${draft.findings[item.key]} shots=${shots} needsReason=${!!checklist.rules?.na_needs_reason}
          onAnswer=${(v) => answer(item.key, v)}
          onFinding=${(c) => save((d) => ({ findings: { ...d.findings, [item.key]: { ...d.findings[item.key], ...c } } }))}
          onPhoto=${(file) => photo(file, { category: 'evidence', item: item.key })} onRemovePhoto=${removePhoto} />`)}</ol>
      </section>`)}

      <h2>${t('controlPointsVisit')}</h2>
      <ol class="items">${enterprise.control_points.map((point) => {
        const posted = draft.notices.find((n) => n.control_point_id === point.id);
        const fitting = templates.filter((tpl) => tpl.control_point_kind === 'other' || tpl.control_point_kind === point.kind);
        const pointShots = shots.filter((p) => p.control_point_id === point.id && p.category === 'premises');
        const noticeShot = posted && shots.find((p) => p.notice === posted.id);
        return html`<li key=${point.id} class="item point" data-point=${point.name}>
          <p class="item-text">${point.name} <span class="muted">${point.location}</span></p>
          ${currentNotice[point.id] && html`<p class="muted small">${t('currentNotice')(currentNotice[point.id].code)}</p>`}
          <div class="photos">
            ${pointShots.map((p) => html`<${Thumb} key=${p.id} photo=${p} onRemove=${() => removePhoto(p)} />`)}
            <${PhotoButton} label=${t('pointPhoto')} onFile=${(file) => photo(file, { category: 'premises', control_point_id: point.id })} />
          </div>
          ${posted ? html`<div class="notice-draft">
              <strong>${t('noticeToPost')}：${templates.find((tpl) => tpl.id === posted.template_id)?.title}</strong>
              <div class="photos">
                ${noticeShot ? html`<${Thumb} photo=${noticeShot} onRemove=${() => removePhoto(noticeShot)} />`
                  : html`<${PhotoButton} label=${t('noticePhoto')} testid="notice-photo"
                      onFile=${(file) => photo(file, { category: 'notice', control_point_id: point.id, notice: posted.id })} />`}
              </div>
              <button class="link" onClick=${async () => {
                if (noticeShot) await removePhoto(noticeShot);
                save((d) => ({ notices: d.notices.filter((n) => n.id !== posted.id) }));
              }}>${t('remove')}</button>
            </div>`
            : choosing === point.id ? html`<div class="templates" role="group" aria-label=${t('chooseTemplate')}>
                <p class="small">${t('chooseTemplate')}</p>
                ${fitting.map((tpl) => html`<button key=${tpl.id} class="secondary" onClick=${() => {
                  save((d) => ({ notices: [...d.notices, { id: newId(), control_point_id: point.id, template_id: tpl.id }] }));
                  setChoosing(null);
                }}>${tpl.title}</button>`)}
                <button class="link" onClick=${() => setChoosing(null)}>${t('cancel')}</button>
              </div>`
            : html`<button class="secondary" onClick=${() => setChoosing(point.id)}>${t('postNotice')}</button>`}
        </li>`;
      })}</ol>

      <h2>${t('signatures')}</h2>
      ${draft.plan.team.map((member) => {
        const s = draft.signatures[member];
        return html`<div key=${member} class="signature" data-signer=${member === me.id ? 'me' : 'colleague'}>
          <label>${t('inspectorSigns')} <input value=${s.name} aria-label=${`${t('inspectorSigns')} ${t('signerName')}`}
            placeholder=${t('signerName')} onInput=${(e) => signer(member, { name: e.target.value })} /></label>
          <${SignaturePad} photo=${byId[s.photo]} label=${t('signHere')} onSigned=${(file) => sign(member, file)} />
        </div>`;
      })}
      <button class="secondary" onClick=${() => setPreview(true)}>📄 ${t('previewRecord')}</button>
      ${preview && html`<${RecordPreview} draft=${latest.current} checklist=${checklist} enterprise=${enterprise} shots=${shots} me=${me}
        onClose=${() => setPreview(false)} />`}
      <div class="signature" data-signer="enterprise">
        <label>${t('enterpriseSigns')} <input value=${draft.signatures.enterprise?.name || ''} placeholder=${t('signerName')}
          aria-label=${`${t('enterpriseSigns')} ${t('signerName')}`} onInput=${(e) => signer('enterprise', { name: e.target.value })} /></label>
        <label class="check"><input type="checkbox" checked=${!!draft.signatures.enterprise?.refused}
          onChange=${(e) => signer('enterprise', { refused: e.target.checked })} /> ${t('refuses')}</label>
        ${draft.signatures.enterprise?.refused
          ? html`<textarea rows="2" placeholder=${t('witnessNote')} aria-label=${t('witnessNote')}
              value=${draft.signatures.enterprise?.witness_note || ''} onInput=${(e) => signer('enterprise', { witness_note: e.target.value })}></textarea>`
          : html`<${SignaturePad} photo=${byId[draft.signatures.enterprise?.photo]} label=${t('signHere')}
              onSigned=${(file) => sign('enterprise', file)} />`}
      </div>

      <h2>${t('conclusionTitle')}</h2>
      ${ruled.conclusion ? html`<p class="lead" role="status" data-testid="conclusion"><strong>${t('conclusionWords')[ruled.conclusion]}</strong></p>
        <p class="muted small">${t('ruledBy')(ruleText(checklist.rules.conclusion[ruled.line]))}</p>`
      : html`<div class="choices three">
        ${['pass', 'pass_with_rectification', 'fail'].map((c) => html`<button class=${draft.conclusion === c ? 'answer on' : 'answer'}
          aria-pressed=${draft.conclusion === c} onClick=${() => save({ conclusion: c })}>${t('conclusionWords')[c]}</button>`)}
      </div>`}
      <${Coverage} ruled=${ruled} />
      ${unanswered > 0 && html`<p class="muted">${t('unanswered')(unanswered)}</p>`}
      ${tried && todo.length > 0 && html`<div class="problem" role="alert">${t('notReady')}
        <ul>${todo.map(([key, detail]) => html`<li>${t('problemText')[key]}${detail}</li>`)}</ul></div>`}
      ${!locked && html`<button class="primary" onClick=${submit}>${t('submit')}</button>`}
    </fieldset>`}
  </main>`;
}

// ---------------------------------------------------------------- an unplanned visit

export function VisitNew({ params: [enterpriseId], me }) {
  const [ctx, setCtx] = useState(null);
  const [error, setError] = useState(null);
  const [choice, setChoice] = useState({ team: 0, checklist: null, type: 'routine' });

  useEffect(() => {
    Promise.all([cachedApi(`/api/enterprises/${enterpriseId}`), cachedApi('/api/checklists'), cachedApi(todayPaths().visits)])
      .then(([enterprise, checklists, visits]) => {
        const teams = knownTeams(visits.data.items, me);
        const newest = newestChecklists(checklists.data);
        const fits = newest.find((c) => c.code === CHECKLIST_OF[enterprise.data.category]) || newest[0];
        setChoice((old) => ({ ...old, checklist: fits?.id }));
        setCtx({ enterprise: enterprise.data, checklists: checklists.data, teams });
      })
      .catch((e) => (e instanceof ApiError && e.status === 401 ? signInAgain() : setError(loadError(e))));
  }, [enterpriseId]);

  if (error) return html`<main><${Problem} error=${error} /></main>`;
  if (!ctx) return html`<main><p class="muted">${t('loading')}</p></main>`;
  const { enterprise, checklists, teams } = ctx;
  const create = async () => {
    const plan = { id: newId(), enterprise_id: enterprise.id, checklist_id: choice.checklist, visit_type: choice.type,
                   planned_date: today(), team: teams[choice.team] };
    await drafts.put(newDraft(me, enterprise, plan, false));
    navigate(`/visits/${plan.id}`);
  };
  const names = (team) => team.filter((u) => u !== me.id).map((u) => colleagueName(u) || `${t('colleague')} ${u.slice(0, 4)}`).join('、');
  return html`<main>
    <h1>${t('newVisit')}</h1>
    <p class="lead">${enterprise.name}</p>
    <label class="field">${t('checklist')}
      <select value=${choice.checklist} onChange=${(e) => setChoice({ ...choice, checklist: e.target.value })}>
        ${checklists.map((c) => html`<option value=${c.id}>${c.title} v${c.version}</option>`)}
      </select></label>
    <label class="field">${t('visitType')}
      <select value=${choice.type} onChange=${(e) => setChoice({ ...choice, type: e.target.value })}>
        ${Object.entries(t('visitTypes')).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
      </select></label>
    <h2>${t('team')}</h2>
    ${teams.length === 0 ? html`<p class="problem">${t('noTeam')}</p>` : html`<div class="choices">
      ${teams.map((team, i) => html`<button class=${choice.team === i ? 'answer on' : 'answer'} aria-pressed=${choice.team === i}
        onClick=${() => setChoice({ ...choice, team: i })}>${t('teamOf')(names(team))}</button>`)}
    </div>`}
    <button class="primary" disabled=${teams.length === 0 || !choice.checklist} onClick=${create}>${t('createVisit')}</button>
  </main>`;
}
