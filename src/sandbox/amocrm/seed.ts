// The deterministic AmoCRM seed: reference data first (users, account, pipelines, field
// definitions, tags), then companies, contacts and leads, then tasks and notes. Only ctx.random()
// and ctx.now() vary it; ids come from the store's sequences so runtime creates continue after it.
import type { SeedContext } from '../emulator-types.js';
import { unixSeconds } from './constants.js';
import { Repo } from './repo.js';
import { seedNotes, seedTasks } from './seed-activity.js';
import { Dice, type Seeder } from './seed-kit.js';
import { seedCompanies, seedContacts, seedLeads } from './seed-records.js';
import { seedAccount, seedFieldDefinitions, seedPipelines, seedTags, seedUsers } from './seed-reference.js';

export function seedAmocrm(ctx: SeedContext): void {
  const s: Seeder = { repo: new Repo(ctx.store), dice: new Dice(ctx.random), now: unixSeconds(ctx.now()) };
  const users = seedUsers(s);
  seedAccount(s, users[0]);
  const pipelines = seedPipelines(s);
  const fields = seedFieldDefinitions(s);
  const tags = seedTags(s);
  const companies = seedCompanies(s, users, fields.companies, tags.companies);
  const contacts = seedContacts(s, users, fields.contacts, tags.contacts, companies);
  const leads = seedLeads(s, users, pipelines, fields.leads, tags.leads, contacts, companies);
  seedTasks(s, users, leads, contacts, companies);
  seedNotes(s, users, leads, contacts, companies);
}
