// The on-site record (现场检查笔录) as it will print, built on the phone with no signal:
// the server's own templates (backend/documents/templates, bundled as text) filled by
// Nunjucks with recordContext(), which mirrors backend/documents/context.py::record field
// by field from what the phone holds. Number and code stay empty: the template then says
// 预览 and （编号待定）. Loaded only when a preview is asked for (nunjucks is ~26 KB).
import nunjucks from 'nunjucks';

import base from '../../backend/documents/templates/base.html?raw';
import record from '../../backend/documents/templates/record.html?raw';
import GLOSSARY from '../../backend/glossary.json';
import { answersOf, conclusionOf, findingsOf, isVideoShot } from './fieldwork.js';
import { formatDuration } from './media.js';
import { itemClass } from './rules.js';

const LABELS = GLOSSARY['zh-CN']; // the words the paper prints
const TEMPLATES = { 'base.html': base, 'record.html': record };
const env = new nunjucks.Environment(
  { getSource: (name) => ({ src: TEMPLATES[name], path: name, noCache: false }) },
  { autoescape: true, throwOnUndefined: true }, // as Jinja2's StrictUndefined: a missing field is an error, not a blank
);

// ---------------------------------------------------------------- words as context.py writes them

const ZONE = { timeZone: 'Asia/Shanghai' };
const partsOf = (date, options) => Object.fromEntries(new Intl.DateTimeFormat('en-GB', { ...ZONE, ...options })
  .formatToParts(date).map((p) => [p.type, p.value]));

export function day(value) { // 2026年11月24日 (a date 'YYYY-MM-DD' as it is; a moment in Asia/Shanghai)
  if (!value) return '';
  const [y, m, d] = value.length === 10 ? value.split('-').map(Number)
    : (({ year, month, day: dd }) => [year, month, dd].map(Number))(partsOf(new Date(value), { year: 'numeric', month: 'numeric', day: 'numeric' }));
  return `${y}年${m}月${d}日`;
}

export function moment(value) { // 2026年11月24日 09:30
  if (!value) return '';
  const { hour, minute } = partsOf(new Date(value), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return `${day(value)} ${hour}:${minute}`;
}

export function position(lat, lon) {
  if (lat == null || lon == null) return '';
  return `${lat >= 0 ? '北纬' : '南纬'} ${Math.abs(lat).toFixed(5)}°，${lon >= 0 ? '东经' : '西经'} ${Math.abs(lon).toFixed(5)}°`;
}

// Python's format(x, 'g'): six significant digits, no trailing zeros, exponent outside 1e-4 … 1e6.
export function g(x) {
  if (x === 0) return '0';
  const [mantissa, exp] = x.toExponential(5).split('e').map(Number);
  const trim = (s) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
  if (exp < -4 || exp >= 6) return `${trim(mantissa.toFixed(5))}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return trim(x.toFixed(Math.max(0, 5 - exp)));
}

const place = (address, lat, lon) => (position(lat, lon) ? `${address}（定位：${position(lat, lon)}）` : address);

function row(item, answer) {
  let detail = '';
  if (answer) {
    if (answer.number != null) detail = `${g(answer.number)} ${item.unit || ''}`.trim();
    else if (answer.choice) detail = answer.choice;
    else if (answer.text) detail = answer.text;
    if (answer.note) detail = detail ? `${detail}；${answer.note}` : answer.note;
  }
  const result = answer?.result;
  return { key: item.key, text: item.text, key_item: itemClass(item) === 'key', item_class: LABELS.item_classes[itemClass(item)],
    result: result ? LABELS.results[result] : detail ? '已记录' : '未检查', detail };
}

// ---------------------------------------------------------------- a photo's own reading (EXIF)

// The capture time and GPS a JPEG carries, read as the server reads them (media/images.py:
// DateTimeOriginal or DateTime, OffsetTimeOriginal or Beijing time; GPS in degrees), so the
// preview prints the time and place the server will print. Anything unreadable is left out.
export async function exifOf(blob) {
  const out = {};
  try {
    const v = new DataView(await blob.slice(0, 256 * 1024).arrayBuffer());
    if (v.getUint16(0) !== 0xffd8) return out;
    let at = 2; // the segments up to the image data, looking for APP1 'Exif'
    while (!(v.getUint16(at) === 0xffe1 && v.getUint32(at + 4) === 0x45786966)) {
      if (v.getUint8(at) !== 0xff || v.getUint16(at) === 0xffda) return out;
      at += 2 + v.getUint16(at + 2);
    }
    const tiff = at + 10;
    const le = v.getUint16(tiff) === 0x4949;
    const u16 = (o) => v.getUint16(o, le);
    const u32 = (o) => v.getUint32(o, le);
    const ifd = (start) => {
      const tags = {};
      for (let i = 0, n = u16(start); i < n; i += 1) {
        const e = start + 2 + i * 12;
        const count = u32(e + 4);
        const size = count * ({ 3: 2, 4: 4, 5: 8, 9: 4, 10: 8 }[u16(e + 2)] || 1);
        tags[u16(e)] = { type: u16(e + 2), count, at: size <= 4 ? e + 8 : tiff + u32(e + 8) };
      }
      return tags;
    };
    const text = (tag) => tag && new TextDecoder().decode(new Uint8Array(v.buffer, tag.at, tag.count)).replace(/[\0 ]+$/, '');
    const degrees = (tag) => [0, 1, 2].map((i) => u32(tag.at + i * 8) / u32(tag.at + i * 8 + 4))
      .reduce((sum, part, i) => sum + part / 60 ** i, 0);
    const ifd0 = ifd(tiff + u32(tiff + 4));
    const exif = ifd0[0x8769] ? ifd(tiff + u32(ifd0[0x8769].at)) : {};
    const stamp = text(exif[0x9003]) || text(ifd0[0x0132]);
    const match = stamp?.match(/^(\d{4}):(\d\d):(\d\d) (\d\d:\d\d:\d\d)$/);
    if (match) out.captured_at = `${match[1]}-${match[2]}-${match[3]}T${match[4]}${text(exif[0x9011]) || '+08:00'}`;
    const gps = ifd0[0x8825] ? ifd(tiff + u32(ifd0[0x8825].at)) : {};
    if (gps[2] && gps[4]) {
      const signed = (tag, ref, negative) => Math.round((text(ref) === negative ? -1 : 1) * degrees(tag) * 1e7) / 1e7;
      out.latitude = signed(gps[2], gps[1], 'S');
      out.longitude = signed(gps[4], gps[3], 'W');
    }
  } catch {
    // a broken tag: the phone's own time and place stand
  }
  return out;
}

async function sha256(blob) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// ---------------------------------------------------------------- the record

// The record's context (context.py::record) from the visit the phone holds: `draft` (the
// visit being done), its pinned `checklist`, the cached `enterprise` (with licences),
// `team` (member id -> { name, certificate_no }), the visit's `shots` (photos and signatures,
// as Blobs), `url(photo)` (a local address for a photo's Blob) and `now` (the end, for now).
export async function recordContext({ draft, checklist, enterprise, team, shots, url, now }) {
  const answers = answersOf(draft, checklist, shots);
  const byItem = Object.fromEntries(answers.map((a) => [a.item, a]));
  const items = Object.fromEntries(checklist.sections.flatMap((s) => s.items).map((i) => [i.key, i]));
  const citedBy = Object.fromEntries(answers.flatMap((a) => a.media.map((m) => [m, a.item])));
  const byId = Object.fromEntries(shots.map((p) => [p.id, p]));
  const evidence = await Promise.all(shots.filter((p) => p.category !== 'signature').map(async (p) => {
    const exif = p.type === 'image/jpeg' ? await exifOf(p.blob) : {};
    const [lat, lon] = exif.latitude != null ? [exif.latitude, exif.longitude] : [p.latitude, p.longitude];
    return { p, sha: await sha256(p.blob), captured: exif.captured_at || p.captured_at, exif: !!exif.captured_at, lat, lon };
  }));
  evidence.sort((a, b) => new Date(a.captured) - new Date(b.captured));
  const sign = (id) => (id && byId[id] ? url(byId[id]) : '');
  const firm = draft.signatures.enterprise;
  const licences = [...enterprise.licences].sort((a, b) => b.valid_to.localeCompare(a.valid_to));
  const county = enterprise.county_name;
  return {
    kind: 'record', title: LABELS.document_kinds.record, number: '', code: '', qr: '', county, bureau: `${county}市场监督管理局`,
    enterprise: { name: enterprise.name, uscc: enterprise.uscc, address: enterprise.address,
      licences: licences.map((l) => ({ number: l.number, scope: l.scope, valid_to: day(l.valid_to), status: LABELS.licence_status[l.status] })) },
    visit_type: LABELS.visit_types[draft.plan.visit_type],
    started: moment(draft.started_at),
    ended: moment(now),
    place: place(enterprise.address, draft.latitude, draft.longitude),
    team: draft.plan.team.map((m) => ({ name: team[m].name, certificate_no: team[m].certificate_no })),
    sections: checklist.sections.map((s) => ({ title: s.title, rows: s.items.map((item) => row(item, byItem[item.key])) })),
    findings: findingsOf(draft, answers).sort((a, b) => (a.item < b.item ? -1 : a.item > b.item ? 1 : 0)).map((f, i) => ({
      n: i + 1, key: f.item, text: items[f.item]?.text || '', description: f.description,
      legal_basis: items[f.item]?.legal_basis || '', deadline: day(f.deadline) })),
    photos: evidence.map(({ p, sha, captured, exif, lat, lon }, i) => ({
      n: i + 1, what: citedBy[p.id] ? `${citedBy[p.id]} ${items[citedBy[p.id]].text}` : LABELS.media_categories[p.category],
      caption: p.caption || '', src: p.type?.startsWith('image/') ? url(p) : '', file: fileWords(p),
      captured: `${moment(captured)}（${LABELS.time_sources[exif ? 'exif' : 'device']}）`,
      place: position(lat, lon), sha256: sha.slice(0, 16) })),
    conclusion: LABELS.conclusions[conclusionOf(draft, checklist, shots)] || '',
    inspectors: draft.plan.team.map((m) => ({ name: draft.signatures[m]?.name?.trim() || team[m].name, src: sign(draft.signatures[m]?.photo) })),
    enterprise_signature: firm.refused
      ? { name: firm.name.trim(), src: '', refused: true, witness_note: firm.witness_note.trim() }
      : { name: (firm.name || '').trim(), src: sign(firm.photo), refused: false, witness_note: '' },
    content_hash: '',
  };
}

// A video on the phone prints its length (视频 1:05), a document that it is a file (context.py::_file_words).
function fileWords(p) {
  if (p.type?.startsWith('image/')) return '';
  if (!isVideoShot(p)) return LABELS.evidence_files.other;
  return p.duration ? `${LABELS.evidence_files.video} ${formatDuration(p.duration)}` : LABELS.evidence_files.video;
}

export const renderPaper = (context) => env.render(`${context.kind}.html`, context);
