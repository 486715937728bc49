// Lead pipelines and their statuses: `/api/v4/leads/pipelines[/{id}[/statuses[/{status_id}]]]`.
// Pipelines are not paged (the whole list, with `_total_items`); each embeds its statuses.
import type { HttpRequest, HttpResponse } from '../emulator-types.js';
import type { ApiContext } from './common.js';
import { MODEL } from './constants.js';
import { href, selfLink } from './hal.js';
import { hal, methodNotAllowed, notFound } from './responses.js';
import type { PipelineDoc, StatusDoc } from './model.js';

function renderStatus(status: StatusDoc): Record<string, unknown> {
  return { ...status, _links: selfLink(`/leads/pipelines/${status.pipeline_id}/statuses/${status.id}`) };
}

function sortedStatuses(pipeline: PipelineDoc): StatusDoc[] {
  return [...pipeline.statuses].sort((a, b) => a.sort - b.sort);
}

function renderPipeline(pipeline: PipelineDoc): Record<string, unknown> {
  const { statuses: _statuses, ...fields } = pipeline;
  return {
    ...fields,
    _links: selfLink(`/leads/pipelines/${pipeline.id}`),
    _embedded: { statuses: sortedStatuses(pipeline).map(renderStatus) },
  };
}

/** Everything below `/leads/pipelines`: the list, one pipeline, its statuses, one status. */
export function handlePipelines(req: HttpRequest, ctx: ApiContext, pipelineId?: number, statuses = false, statusId?: number): HttpResponse {
  if (req.method !== 'GET') return methodNotAllowed();
  if (pipelineId === undefined) {
    const pipelines = [...ctx.repo.all(MODEL.pipelines)].sort((a, b) => a.sort - b.sort);
    return hal({
      _total_items: pipelines.length,
      _links: { self: { href: href('/leads/pipelines') } },
      _embedded: { pipelines: pipelines.map(renderPipeline) },
    });
  }
  const pipeline = ctx.repo.get(MODEL.pipelines, pipelineId);
  // Same wording as the real API's 404 for a missing pipeline.
  if (!pipeline) return notFound('Pipeline not found');
  if (!statuses) return hal(renderPipeline(pipeline));
  if (statusId === undefined) {
    const list = sortedStatuses(pipeline);
    return hal({
      _total_items: list.length,
      _links: { self: { href: href(`/leads/pipelines/${pipeline.id}/statuses`) } },
      _embedded: { statuses: list.map(renderStatus) },
    });
  }
  const status = pipeline.statuses.find((s) => s.id === statusId);
  return status ? hal(renderStatus(status)) : notFound('Status not found');
}
