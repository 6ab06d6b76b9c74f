import type { Language } from '../understanding/understanding';

/**
 * How a service is named to the customer, in their language. Understanding normalises goals to English
 * labels ("web design", "advertising"); a Spanish customer reads "diseño web", "publicidad". A business
 * can rename its services per language (`serviceLabels` in its rules); the built-in table covers the
 * common ones. A goal nobody labelled is shown as it is (the customer's own words, typos corrected).
 */
export type ServiceLabels = Record<string, { en?: string; es?: string }>;

const BUILT_IN: ServiceLabels = {
  marketing: { en: 'marketing', es: 'marketing' },
  'digital marketing': { en: 'digital marketing', es: 'marketing digital' },
  'email marketing': { en: 'email marketing', es: 'email marketing' },
  advertising: { en: 'advertising', es: 'publicidad' },
  ads: { en: 'ads', es: 'anuncios' },
  'social media': { en: 'social media', es: 'redes sociales' },
  seo: { en: 'SEO', es: 'SEO' },
  'web design': { en: 'web design', es: 'diseño web' },
  website: { en: 'website', es: 'página web' },
  'web development': { en: 'web development', es: 'desarrollo web' },
  branding: { en: 'branding', es: 'branding' },
  content: { en: 'content', es: 'contenidos' },
  consulting: { en: 'consulting', es: 'consultoría' },
  coaching: { en: 'coaching', es: 'coaching' },
};

const key = (name: string) =>
  name
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

/** The label of one service in `lang`: the business's own, then the built-in one, else the name as given. */
function labelOne(name: string, lang: Language, overrides: ServiceLabels | undefined): string {
  const k = key(name);
  const own = overrides && Object.entries(overrides).find(([service]) => key(service) === k)?.[1];
  return own?.[lang] ?? BUILT_IN[k]?.[lang] ?? name.trim();
}

/** A goal as the customer reads it: each comma-separated service labelled ("social media, web design" → "redes sociales, diseño web"). */
export function serviceLabel(goal: string, lang: Language, overrides?: ServiceLabels): string {
  const parts = goal.split(',').map((p) => p.trim()).filter(Boolean);
  const labelled = parts.map((p) => labelOne(p, lang, overrides));
  if (labelled.length <= 1) return labelled[0] ?? goal;
  const and = lang === 'es' ? ' y ' : ' and ';
  return `${labelled.slice(0, -1).join(', ')}${and}${labelled[labelled.length - 1]}`;
}
