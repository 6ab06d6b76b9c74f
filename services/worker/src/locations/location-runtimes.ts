import { UnrecoverableError, type Job } from 'bullmq';
import type { Config, JobData, JobResult, LocationDirectory, LocationView } from '@wab/shared';
import { noCredentials, staticCredentials, type GhlCredentials } from '../ghl/credentials';
import { GhlClient, type GhlClientOptions } from '../ghl/client';
import { ghlWorkflowPorts, type CrmFields } from '../ghl/workflow-ports';
import type { GhlReadCache } from '../ghl/read-cache';
import type { EffectLedger } from '../effects/effect-ledger';
import { createJobProcessor, type ProcessorDeps } from '../processing/job-processor';
import type { LocationAdmission } from '../processing/location-admission';
import { createNudgeProcessor, type FollowUpJob, type NudgeOutcome } from '../processing/follow-ups';
import type { WindowClosedAction } from '../processing/whatsapp-window';
import type { Understander } from '../understanding/understanding';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { buildBookingGraph } from '../workflow/graph';

/** What every location shares: the queue's stores, the understanding, the rate budget, the ledger. */
export interface SharedRuntimeDeps {
  config: Config;
  directory: LocationDirectory;
  understander: Understander;
  checkpointer: BaseCheckpointSaver;
  ledger: EffectLedger;
  crmFields: CrmFields;
  /** GHL reads shared by every replica (calendar settings, free slots). */
  ghlCache: GhlReadCache;
  /** The GHL client's options that are not the location's own. */
  client: Omit<GhlClientOptions, 'token' | 'locationId' | 'timeZone'>;
  /** The Marketplace app's tokens for a location; absent when the deployment has no app (GHL_CLIENT_ID). */
  oauthCredentials?: (locationId: string) => GhlCredentials;
  processor: Omit<ProcessorDeps, 'graph' | 'contacts' | 'sendReply' | 'timeZone' | 'windowClosed' | 'admit' | 'locationId'>;
  /** Fairness between locations: at most LOCATION_MAX_ACTIVE_TURNS turns of one location at once. */
  admission?: LocationAdmission;
}

type Processor = (job: Job<JobData>) => Promise<JobResult>;
type NudgeProcessor = (job: Job<FollowUpJob>, token?: string) => Promise<{ outcome: NudgeOutcome }>;
interface Runtime {
  process: Processor;
  nudge: NudgeProcessor;
}

/**
 * One booking graph, GHL client and job processor per location, built from that location's settings the
 * first time a job of it comes, and again when its settings change (the admin API, a new install).
 * A job is dispatched by its location; one without (queued before locations, or by a single-location
 * deployment's reference body) belongs to the deployment's only location.
 */
export function createLocationRuntimes(deps: SharedRuntimeDeps) {
  const built = new Map<string, { fingerprint: string; version: number } & Runtime>();

  function credentialsOf(location: LocationView): GhlCredentials {
    if (location.token) return staticCredentials(location.token);
    if (deps.oauthCredentials) return deps.oauthCredentials(location.id);
    return noCredentials(location.id, 'has no token (set it in LOCATIONS_FILE or GHL_API_TOKEN, or connect the Marketplace app)');
  }

  function build(location: LocationView & { calendarId: string }): Runtime {
    const client = new GhlClient({ ...deps.client, token: credentialsOf(location), locationId: location.id, timeZone: location.timeZone });
    const ports = ghlWorkflowPorts({ client, calendarId: location.calendarId, ledger: deps.ledger, crmFields: deps.crmFields, cache: deps.ghlCache });
    const graph = buildBookingGraph(
      {
        understander: deps.understander,
        calendar: ports.calendar,
        contacts: ports.contacts,
        rules: {
          minBudget: location.minBudget,
          services: location.services,
          minNoticeMinutes: location.minNoticeMinutes,
          maxDaysAhead: location.maxDaysAhead,
          timeZone: location.timeZone,
          currency: location.currency,
        },
      },
      deps.checkpointer,
    );
    const workflowId = location.windowClosedWorkflowId;
    const windowClosed: WindowClosedAction = async (contactId, lastInboundMs) => {
      if (!workflowId) return 'none';
      await ports.enrolWindowClosed(contactId, workflowId, lastInboundMs);
      return 'enrolled';
    };
    const { processor } = deps;
    return {
      process: createJobProcessor({
        ...processor,
        graph,
        contacts: ports.contacts,
        sendReply: ports.sendReply,
        timeZone: location.timeZone,
        windowClosed,
        locationId: location.id,
        admit: deps.admission ? () => deps.admission!.admit(location.id) : undefined,
      }),
      nudge: createNudgeProcessor({
        profiles: processor.profiles,
        inbox: processor.inbox,
        runStore: processor.runStore,
        metrics: processor.metrics,
        followUps: processor.followUps!,
        calendar: ports.calendar,
        sendReply: ports.sendReply,
        windowClosed,
        whatsappWindowHours: processor.whatsappWindowHours ?? 24,
        timeZone: location.timeZone,
      }),
    };
  }

  function locationOf(id: string | null): LocationView {
    const location = id === null ? deps.directory.sole() : deps.directory.get(id);
    if (!location) {
      throw new UnrecoverableError(id === null ? 'the job names no location and the deployment serves several' : `location ${id} is not configured on this worker`);
    }
    return location;
  }

  /** The location's runtime, (re)built when its settings changed. */
  function runtimeOf(locationId: string | null): Runtime {
    const location = locationOf(locationId);
    if (!location.calendarId) throw new UnrecoverableError(`location ${location.id} has no calendarId`);
    let runtime = built.get(location.id);
    const version = deps.directory.version;
    if (runtime?.version === version) return runtime; // the directory's snapshot has not changed since
    // The connection state changes often (refreshes, installs); only the settings decide a rebuild.
    const { connection: _connection, ...settings } = location;
    const fingerprint = JSON.stringify(settings);
    if (runtime?.fingerprint !== fingerprint) runtime = { fingerprint, version, ...build({ ...location, calendarId: location.calendarId }) };
    else runtime = { ...runtime, version };
    built.set(location.id, runtime);
    return runtime;
  }

  return {
    process: (job: Job<JobData>): Promise<JobResult> => runtimeOf(job.data.locationId).process(job),
    nudge: (job: Job<FollowUpJob>, token?: string) => runtimeOf(job.data.locationId).nudge(job, token),
  };
}

/**
 * Settings the worker cannot run without, named in one line when missing: at least one location, each with
 * a calendar, and a way in (its token, or the Marketplace app).
 */
export function checkWorkerLocations(config: Config, locations: LocationView[]): void {
  if (locations.length === 0) {
    const missing = (['GHL_API_TOKEN', 'GHL_LOCATION_ID', 'GHL_CALENDAR_ID'] as const).filter((name) => !config[name]);
    throw new Error(`Invalid configuration: ${missing.join(', ')} must be set for the worker (or LOCATIONS_FILE)`);
  }
  const problems: string[] = [];
  for (const location of locations) {
    if (!location.calendarId) problems.push(`${location.id}: GHL_CALENDAR_ID (calendarId) must be set`);
    if (!location.token && !config.GHL_CLIENT_ID) problems.push(`${location.id}: GHL_API_TOKEN (token) must be set, or the Marketplace app (GHL_CLIENT_ID)`);
  }
  if (problems.length) throw new Error(`Invalid configuration: ${problems.join('; ')} for the worker`);
}
