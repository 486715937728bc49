// Where a lead sits: (pipeline_id, status_id). Statuses 142 (won) and 143 (lost) exist in every
// pipeline with the same ids, so a status alone does not always name a pipeline.
import { MODEL, STATUS_LOST, STATUS_TYPE_NORMAL, STATUS_WON } from './constants.js';
import type { PipelineDoc, StatusDoc } from './model.js';
import type { Repo } from './repo.js';
import type { Issues } from './validation.js';

export interface Stage {
  pipeline_id: number;
  status_id: number;
}

export function isClosedStatus(statusId: number): boolean {
  return statusId === STATUS_WON || statusId === STATUS_LOST;
}

export function mainPipeline(repo: Repo): PipelineDoc {
  const pipelines = repo.all(MODEL.pipelines);
  const main = pipelines.find((p) => p.is_main) ?? pipelines[0];
  if (!main) throw new Error('AmoCRM sandbox has no pipelines');
  return main;
}

/** The stage a new lead lands in by default: the first normal stage (AmoCRM docs: first stage of the pipeline). */
export function firstStage(pipeline: PipelineDoc): StatusDoc {
  const ordered = [...pipeline.statuses].sort((a, b) => a.sort - b.sort);
  return ordered.find((s) => s.type === STATUS_TYPE_NORMAL && !isClosedStatus(s.id)) ?? ordered[0];
}

/**
 * Resolves the requested pipeline/status against the current stage (undefined on create).
 * Records NotSupportedChoice issues for unknown ids or a status outside the pipeline.
 */
export function resolveStage(
  repo: Repo,
  issues: Issues,
  paths: { pipeline: string; status: string },
  requested: { pipeline_id?: number; status_id?: number },
  current?: Stage,
): Stage | undefined {
  let pipeline: PipelineDoc | undefined;
  if (requested.pipeline_id !== undefined) {
    pipeline = repo.get(MODEL.pipelines, requested.pipeline_id);
    if (!pipeline) {
      issues.choice(paths.pipeline);
      return undefined;
    }
  }
  const statusId = requested.status_id;
  if (statusId === undefined) {
    if (pipeline && current && pipeline.id === current.pipeline_id) return current;
    if (pipeline) return { pipeline_id: pipeline.id, status_id: firstStage(pipeline).id };
    if (current) return current;
    const main = mainPipeline(repo);
    return { pipeline_id: main.id, status_id: firstStage(main).id };
  }
  if (!pipeline) {
    // No pipeline given: keep the current one when it has the status (always true for 142/143),
    // else the pipeline that owns the status.
    const currentPipeline = current ? repo.get(MODEL.pipelines, current.pipeline_id) : undefined;
    if (currentPipeline?.statuses.some((s) => s.id === statusId)) pipeline = currentPipeline;
    else if (isClosedStatus(statusId)) pipeline = mainPipeline(repo);
    else pipeline = repo.all(MODEL.pipelines).find((p) => p.statuses.some((s) => s.id === statusId));
  }
  if (!pipeline || !pipeline.statuses.some((s) => s.id === statusId)) {
    issues.choice(paths.status);
    return undefined;
  }
  return { pipeline_id: pipeline.id, status_id: statusId };
}
