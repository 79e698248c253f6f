// A checklist version's rules on the phone: the mirror, line for line, of
// backend/inspections/checklists.py (item_class, examined, assess), so that the visit
// screen shows what the server will hold the visit to. Both are run on the same cases,
// tests/fixtures/checklist_rules.json. No imports: the browser test loads this file alone.

// An item's class: key (重点项) or general (一般项). Items of versions published before
// classes existed have none: their critical items are the key ones.
export const itemClass = (item) => item.class || (item.severity === 'critical' ? 'key' : 'general');

// Whether an answer examined its item (pass, fail or a value); 合理缺项 (na) did not.
export function examined(answer) {
  if (answer.result === 'na') return false;
  return answer.result === 'pass' || answer.result === 'fail' || (answer.number !== null && answer.number !== undefined)
    || !!answer.choice || !!(answer.text || '').trim();
}

// What a version's rules make of a visit's answers: the key items and items examined, the
// numbers its coverage rule asks of this type of visit (null: no rule), the items marked na
// without the reason the rules ask for, and the conclusion its rule gives with the index
// of the line that gave it (null: the team concludes).
export function assess(checklist, visitType, answers) {
  const items = Object.fromEntries(checklist.sections.flatMap((s) => s.items).map((i) => [i.key, i]));
  const rules = checklist.rules || {};
  const answered = answers.filter((a) => items[a.item]).map((a) => [itemClass(items[a.item]), a]);
  const examinedClasses = answered.filter(([, a]) => examined(a)).map(([cls]) => cls);
  const coverage = rules.coverage;
  const binds = coverage !== undefined && coverage !== null && (coverage.visit_types || [visitType]).includes(visitType);
  let conclusion = null;
  let line = null;
  for (const [i, rule] of (rules.conclusion || []).entries()) {
    const when = rule.when;
    if (!when || (when.at_least ?? 1) <= answered.filter(([cls, a]) => a.result === when.result
        && (when.class ?? cls) === cls).length) {
      [conclusion, line] = [rule.then, i];
      break;
    }
  }
  return {
    examined: { key_items: examinedClasses.filter((cls) => cls === 'key').length, items: examinedClasses.length },
    required: binds ? { key_items: coverage.key_items ?? 0, items: coverage.items ?? 0 } : null,
    na_without_reason: answered.filter(([, a]) => rules.na_needs_reason && a.result === 'na' && !(a.note || '').trim())
      .map(([, a]) => a.item),
    conclusion,
    line,
  };
}
