// Render Handlebars templates from templates/: strict (a missing field is an error), no HTML escaping.

import fs from 'node:fs';
import Handlebars from 'handlebars';
import { repoPath } from '../util/package-root.js';

const cache = new Map<string, HandlebarsTemplateDelegate>();

/** Render `templates/<name>` (e.g. 'c/model.c.hbs') with a fully resolved view model. */
export function renderTemplate(name: string, view: object): string {
  let template = cache.get(name);
  if (!template) {
    const source = fs.readFileSync(repoPath('templates', name), 'utf8');
    template = Handlebars.compile(source, { strict: true, noEscape: true });
    cache.set(name, template);
  }
  return template(view);
}
