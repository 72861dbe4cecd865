// Render Handlebars templates from templates/: strict (a missing field is an error), no HTML escaping.

import fs from 'node:fs';
import Handlebars from 'handlebars';
import { repoPath } from '../util/package-root.js';

const cache = new Map<string, HandlebarsTemplateDelegate>();

function compiled(name: string, escape: boolean): HandlebarsTemplateDelegate {
  const key = `${escape}:${name}`;
  let template = cache.get(key);
  if (!template) {
    const source = fs.readFileSync(repoPath('templates', name), 'utf8');
    template = Handlebars.compile(source, { strict: true, noEscape: !escape });
    cache.set(key, template);
  }
  return template;
}

/** Render `templates/<name>` (e.g. 'c/model.c.hbs') with a fully resolved view model. */
export function renderTemplate(name: string, view: object): string {
  return compiled(name, false)(view);
}

/** Render an HTML template: `{{x}}` is HTML-escaped, `{{{x}}}` inserts trusted markup (our SVG). */
export function renderHtmlTemplate(name: string, view: object): string {
  return compiled(name, true)(view);
}
