import { offersGoal } from '../../../services/worker/src/workflow/service-match';

const services = ['marketing', 'web design', 'SEO'];

describe('offersGoal', () => {
  it.each([
    ['web design'],
    ['SEO'],
    ['social media, web design'],
    ['advertising'], // marketing's family
    ['a new website'], // web design's family
    ['Diseño web'],
    ['design'], // part of "web design"
    ['digital marketing for my bakery'],
  ])('%j is offered', (goal) => expect(offersGoal(goal, services)).toBe(true));

  it.each([
    ['a'], // a one-letter goal matched everything by substring before
    ['e'],
    ['plumbing'],
    ['accounting and payroll'],
    ['seoul trip'], // "seo" inside a word is not SEO
    ['branding'],
  ])('%j is not offered', (goal) => expect(offersGoal(goal, services)).toBe(false));
});
