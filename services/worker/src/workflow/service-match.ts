/**
 * Does the business offer what the customer asked for? Goals and services are compared as whole words
 * (never substrings, so a one-letter goal matches nothing), in either direction ("web design" is offered by
 * "web design and SEO"; "design" alone is part of "web design"), and through a few families of names for
 * the same work ("ads" is marketing; "website" is web design).
 */

/** Each family: words that name the same kind of work. A goal and a service match when they share a family. */
const FAMILIES: readonly (readonly string[])[] = [
  ['marketing', 'digital marketing', 'advertising', 'ads', 'email marketing', 'social media', 'publicidad', 'mercadeo'],
  ['web design', 'website', 'web', 'web development', 'landing page', 'pagina web', 'diseno web', 'sitio web', 'e-commerce', 'ecommerce'],
  ['seo', 'search engine optimization', 'posicionamiento'],
  ['social media', 'redes sociales', 'instagram', 'tiktok', 'community management'],
  ['branding', 'brand', 'logo', 'identidad de marca', 'marca'],
  ['content', 'copywriting', 'blog', 'contenido', 'contenidos', 'redaccion'],
];

const words = (text: string): string[] =>
  text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .match(/[\p{L}\p{N}][\p{L}\p{N}-]*/gu) ?? [];

const containsAll = (haystack: string[], needle: string[]) => needle.length > 0 && needle.every((w) => haystack.includes(w));

/** The goal split on commas and "and"/"y": "social media, web design" asks for two things. */
const parts = (goal: string) => goal.split(/,|\band\b|\by\b|&|\//i).map((p) => words(p)).filter((p) => p.length > 0);

function sameFamily(a: string[], b: string[]): boolean {
  return FAMILIES.some((family) => family.some((name) => containsAll(a, words(name))) && family.some((name) => containsAll(b, words(name))));
}

/** True when at least one thing the goal asks for is one of the services. */
export function offersGoal(goal: string, services: readonly string[]): boolean {
  return parts(goal).some((asked) =>
    services.some((service) => {
      const offered = words(service);
      const meaningful = asked.some((w) => w.length >= 3);
      return containsAll(asked, offered) || (meaningful && containsAll(offered, asked)) || sameFamily(asked, offered);
    }),
  );
}
