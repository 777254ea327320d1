/**
 * Published advisories, for everyone: pages for people, and a CSAF 2.0 provider's directory-based
 * distribution for machines (see advisory/distribution.ts). Only published revisions are served,
 * byte for byte as they went out, so that their checksums hold; a draft, or a case with nothing
 * published, is not found, exactly as a case that does not exist.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ChecksumAlgorithm, DistributedAdvisory } from '../advisory/index.ts';
import { changesCsv, checksumFile, csafFileName, distributionPath, indexTxt, PROVIDER_METADATA_PATH, providerMetadata, WHITE_DIRECTORY } from '../advisory/index.ts';
import type { PublishedAdvisory } from '../model.ts';
import { caseReference } from '../model.ts';
import type { DiscloseService } from '../service.ts';
import { CaseNotFoundError } from '../tracker.ts';
import type { AdvisoryView } from './advisory-pages.ts';
import { advisoriesPage, advisoryPage, advisoryView, directoryListing } from './advisory-pages.ts';
import { sendPage } from './app.ts';
import { caseId, publisherOf, revisionNumber } from './staff-routes.ts';

/** Published revisions never change, so a few minutes of caching anywhere is safe; a new revision shows after it. */
const PUBLIC_CACHE = 'public, max-age=300';

export function registerAdvisoryPages(app: FastifyInstance, service: DiscloseService): void {
  const { settings, tracker } = service;
  const startedAt = tracker.now();
  // Keyed by case and revision: a revision's document never changes once published.
  const views = new Map<string, AdvisoryView>();

  const stored = async (published: PublishedAdvisory, revision = published.revision) => {
    const found = await tracker.publishedAdvisory(published.caseId, revision);
    if (found === undefined) throw new CaseNotFoundError(`${published.reference} has no revision ${String(revision)}`);
    return found;
  };
  const viewOf = async (published: PublishedAdvisory): Promise<AdvisoryView> => {
    const key = `${String(published.caseId)}:${String(published.revision)}`;
    let view = views.get(key);
    if (view === undefined) {
      view = advisoryView((await stored(published)).csaf);
      views.set(key, view);
    }
    return view;
  };
  const publicText = (reply: FastifyReply, type: string, text: string) => reply.header('cache-control', PUBLIC_CACHE).type(type).send(text);

  app.get('/advisories', async (_request, reply) => {
    const published = await tracker.publishedAdvisories();
    const listed = await Promise.all(published.map(async (p) => ({ published: p, view: await viewOf(p) })));
    return sendPage(reply.header('cache-control', PUBLIC_CACHE), advisoriesPage(settings, listed));
  });
  app.get<{ Params: { name: string }; Querystring: { revision?: string } }>('/advisories/:name', async (request, reply) => {
    const [, name = '', extension] = /^(.*?)(?:\.(json|md))?$/i.exec(request.params.name) ?? [];
    const id = caseId(name);
    const published = (await tracker.publishedAdvisories()).find((p) => p.caseId === id);
    if (published === undefined) throw new CaseNotFoundError(`no advisory ${caseReference(id)} is published`);
    const format = extension?.toLowerCase();
    if (format === undefined) return sendPage(reply.header('cache-control', PUBLIC_CACHE), advisoryPage(settings, published, await viewOf(published)));
    const { csaf, markdown } = await stored(published, revisionNumber(request.query.revision));
    return format === 'json' ? publicText(reply, 'application/json; charset=utf-8', csaf) : publicText(reply, 'text/markdown; charset=utf-8', markdown);
  });

  app.get(PROVIDER_METADATA_PATH, async (_request, reply) => {
    const newest = (await tracker.publishedAdvisories())[0]?.currentAt ?? startedAt;
    const metadata = providerMetadata({
      publicUrl: settings.publicUrl,
      publisher: publisherOf(service),
      // The metadata changes with the configuration too, which can change at any start.
      lastUpdated: new Date(Math.max(newest, startedAt)).toISOString(),
      listOnAggregators: settings.csaf.listOnAggregators,
      mirrorOnAggregators: settings.csaf.mirrorOnAggregators,
    });
    return publicText(reply, 'application/json; charset=utf-8', `${JSON.stringify(metadata, null, 2)}\n`);
  });

  const distributed = async () => (await tracker.publishedAdvisories()).map((p) => ({ published: p, entry: distributedAdvisory(p) }));
  const listing = async (_request: unknown, reply: FastifyReply) => {
    const years = [...new Set((await distributed()).map(({ entry }) => entry.initialReleaseDate.slice(0, 4)))].sort();
    return sendPage(reply.header('cache-control', PUBLIC_CACHE), directoryListing(settings, WHITE_DIRECTORY, ['index.txt', 'changes.csv', ...years.map((y) => `${y}/`)]));
  };
  app.get(WHITE_DIRECTORY, listing);
  app.get(WHITE_DIRECTORY.slice(0, -1), listing);
  app.get(`${WHITE_DIRECTORY}index.txt`, async (_request, reply) => publicText(reply, 'text/plain; charset=utf-8', indexTxt((await distributed()).map(({ entry }) => entry))));
  app.get(`${WHITE_DIRECTORY}changes.csv`, async (_request, reply) => publicText(reply, 'text/csv; charset=utf-8', changesCsv((await distributed()).map(({ entry }) => entry))));

  const yearListing = async (request: { params: { year: string } }, reply: FastifyReply) => {
    const inYear = (await distributed()).filter(({ entry }) => entry.initialReleaseDate.startsWith(`${request.params.year}-`));
    if (!/^\d{4}$/.test(request.params.year) || inYear.length === 0) throw new CaseNotFoundError(`no advisory was first published in ${request.params.year.slice(0, 10)}`);
    const files = inYear.map(({ entry }) => csafFileName(entry.trackingId)).sort().flatMap((file) => [file, `${file}.sha256`, `${file}.sha512`]);
    return sendPage(reply.header('cache-control', PUBLIC_CACHE), directoryListing(settings, `${WHITE_DIRECTORY}${request.params.year}/`, files));
  };
  app.get<{ Params: { year: string } }>(`${WHITE_DIRECTORY}:year/`, yearListing);
  app.get<{ Params: { year: string } }>(`${WHITE_DIRECTORY}:year`, yearListing);
  app.get<{ Params: { year: string; file: string } }>(`${WHITE_DIRECTORY}:year/:file`, async (request, reply) => {
    const { year, file } = request.params;
    const [, name, algorithm] = /^(.+\.json)(?:\.(sha256|sha512))?$/.exec(file) ?? [];
    const found = name === undefined ? undefined : (await distributed()).find(({ entry }) => distributionPath(entry) === `${year}/${name}`);
    if (found === undefined || name === undefined) throw new CaseNotFoundError(`no CSAF document ${`${year}/${file}`.slice(0, 80)} is published`);
    const { csaf } = await stored(found.published);
    return algorithm === undefined
      ? publicText(reply, 'application/json; charset=utf-8', csaf)
      : publicText(reply, 'text/plain; charset=utf-8', checksumFile(csaf, name, algorithm as ChecksumAlgorithm));
  });
}

/** The tracking facts of a published advisory, as its latest CSAF document states them. */
function distributedAdvisory(p: PublishedAdvisory): DistributedAdvisory {
  return { trackingId: p.reference, initialReleaseDate: new Date(p.initialAt).toISOString(), currentReleaseDate: new Date(p.currentAt).toISOString() };
}
