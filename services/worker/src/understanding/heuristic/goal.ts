/** What the customer wants: a normalised service label ("SEO") or a short free-text goal. */
import { Analysis, fold } from './analysis';
import { BOOKING_WORDS, GOAL_STOP_WORDS } from './word-lists';

/** Service vocabulary, most specific first; the label is the normalised goal. */
const SERVICES: Array<{ re: RegExp; label: string }> = [
  {
    re: /\b(?:e-?mail|correo) (?:marketing|campaigns?|campanas?)\b|\bnewsletters?\b|\bmarketing (?:por|de|via) (?:e-?mail|correo)\b|\bemail marketing\b/g,
    label: 'email marketing',
  },
  {
    re: /\b(?:google|facebook|meta|instagram|tiktok|linkedin|youtube|paid|online) ads\b|\bads\b|\badvertis\w*|\bppc\b|\bpay per click\b|\bpublicidad\b|\banuncios?\b|\bpaid media\b|\bcampanas? (?:de )?(?:publicidad|anuncios)\b/g,
    label: 'advertising',
  },
  {
    re: /\bsocial media\b|\bsocial networks?\b|\bredes sociales\b|\bredes\b|\binstagram\b|\btiktok\b|\bcommunity manag\w*|\bfacebook page\b/g,
    label: 'social media',
  },
  { re: /\bseo\b|\bsearch engine optimi[sz]ation\b|\bposicionamiento(?: web| en google| seo)?\b/g, label: 'SEO' },
  {
    re: /\bweb ?design\b|\bweb ?sites?\b|\blanding pages?\b|\bweb ?pages?\b|\bpaginas? web\b|\bsitios? web\b|\bdiseno web\b|\bdiseno de (?:paginas?|sitios?) web\b|\btienda online\b|\be-?commerce\b|\bweb\b/g,
    label: 'web design',
  },
  {
    re: /\bbranding\b|\bbrand(?: identity| strategy)?\b|\blogo(?: design)?s?\b|\bidentidad (?:de marca|corporativa)\b|\bmarca\b|\bdiseno de logo\b/g,
    label: 'branding',
  },
  {
    re: /\bcontent(?: creation| marketing| writing)?\b|\bcopywriting\b|\bblog(?: posts?)?\b|\b(?:creacion de )?contenidos?\b|\bredaccion\b/g,
    label: 'content',
  },
  { re: /\bconsult(?:ing|ation|ancy|ant)?\b|\bconsultoria\b|\basesoria\b|\basesoramiento\b/g, label: 'consulting' },
  { re: /\bcoaching\b|\bcoach\b|\bmentoring\b|\bmentoria\b/g, label: 'coaching' },
  { re: /\b(?:digital |online )?marketing(?: digital| online)?\b|\bmercadeo\b|\bmercadotecnia\b/g, label: 'marketing' },
];

const MAX_HELP_PREFIXES = 8;
const HELP_PREFIX_RE =
  /\b(?:i need help with|i need help for|i need some help with|need help with|help me with|help with|looking for help with|i'm interested in|im interested in|i am interested in|interested in|necesito ayuda con|necesito ayuda para|ayuda con|ayudarme con|me ayuden con|me interesan?|estoy interesad[oa] en|interesad[oa] en)\s+/g;

export function findGoal(a: Analysis): string | null {
  const labels: Array<{ index: number; label: string }> = [];
  for (const { re, label } of SERVICES) {
    for (const m of a.maskedFolded().matchAll(re)) {
      if (!a.isFree(m.index, m.index + m[0].length)) continue;
      a.mark(m.index, m.index + m[0].length);
      labels.push({ index: m.index, label });
    }
  }
  let freeText: string | null = null;
  let prefixes = 0;
  for (const m of a.maskedFolded().matchAll(HELP_PREFIX_RE)) {
    // A message says what it needs once or twice; past a few, the rest is left unaccounted for.
    if (++prefixes > MAX_HELP_PREFIXES) break;
    const start = m.index + m[0].length;
    a.mark(m.index, start);
    const taken: string[] = [];
    let end = start;
    const wordRe = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/uy;
    let pos = start;
    while (taken.length < 6) {
      wordRe.lastIndex = pos;
      const w = wordRe.exec(a.original);
      if (!w || a.isUsed(pos)) break;
      if (GOAL_STOP_WORDS.has(fold(w[0]))) break;
      taken.push(w[0]);
      end = pos + w[0].length;
      const gap = /^[ \t]+/.exec(a.original.slice(end));
      if (!gap) break;
      pos = end + gap[0].length;
    }
    if (taken.length > 0 && !taken.every((w) => BOOKING_WORDS.has(fold(w)) || /^(?:my|mi|mis|our|nuestro|nuestra)$/.test(fold(w)))) {
      a.mark(start, end);
      freeText ??= a.original.slice(start, end).trim();
    }
  }
  if (labels.length > 0) {
    const unique = [...new Set(labels.sort((x, y) => x.index - y.index).map((l) => l.label))];
    return unique.join(', ');
  }
  return freeText && freeText.length <= 80 ? freeText : null;
}

/** The normalised goal of a message ("SEO", "social media, web design") or a short free-text goal. */
export function extractGoal(text: string): string | null {
  return findGoal(new Analysis(text));
}

/** Openers that say nothing about the goal itself ("I need", "we're looking for", "busco"). */
const GOAL_OPENER_RE =
  /^\s*(?:(?:i|we)\s(?:need|want|would like|'d like)|(?:i'?m|we'?re|i am|we are)\s(?:looking for|after|interested in)|looking for|need|want|necesito|necesitamos|quiero|queremos|busco|buscamos|me interesa)\s{1,2}(?:some\s|a\s|an\s|un\s|una\s|algo de\s)?/;
const NO_GOAL_RE = /\b(?:not sure|no idea|idk|dunno|no se|ni idea|depends|depende|nothing|nada)\b/;
const MAX_BARE_GOAL_WORDS = 8;

/**
 * The answer to "What can we help you with?" when it names no known service: the customer's own
 * short phrase ("more customers for my bakery"), openers left out. Only when the bot asked for the
 * goal; a question, an "I'm not sure" or a phrase of filler words is no goal.
 */
export function findBareGoal(a: Analysis, ignored: ReadonlySet<string>): string | null {
  const masked = a.maskedFolded();
  if (/[?¿]/.test(masked) || NO_GOAL_RE.test(masked)) return null;
  const opener = GOAL_OPENER_RE.exec(masked);
  const from = opener ? opener.index + opener[0].length : 0;
  const rest = masked.slice(from);
  const ws = rest.match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? [];
  if (ws.length === 0 || ws.length > MAX_BARE_GOAL_WORDS || ws.every((w) => ignored.has(w) || BOOKING_WORDS.has(w))) return null;
  const lead = rest.search(/[\p{L}\p{N}]/u);
  const end = from + rest.trimEnd().length;
  const text = a.original.slice(from + lead, end).replace(/[\s.!,;:]+$/u, '').trim();
  if (text.length === 0 || text.length > 80) return null;
  a.mark(0, a.original.length);
  return text;
}
