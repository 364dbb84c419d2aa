import type express from 'express';
import type { DialDirectory } from '../modem/DialDirectory.js';

/**
 * GET /phonebook: the bridge's own numbers, the operator's entries and the dial-out rule.
 * PUT /phonebook `{ entries: [...] }`: replaces the operator's entries (400 naming the field on
 * bad input; a HOST:PORT the dial policy refuses is bad input). Remote callers need the token,
 * as for every API route.
 */
export function phonebookRoutes(app: express.Express, directory: DialDirectory): void {
  app.get('/phonebook', (_req, res) => {
    res.json(directory.list());
  });
  app.put('/phonebook', (req, res) => {
    directory.replace(req.body);
    res.json(directory.list());
  });
}
