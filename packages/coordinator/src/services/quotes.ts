/**
 * @module
 * Quotes (`POST /v1/quotes`): what a job would cost and when it would be done, before it
 * is submitted. Resolves the job's policy as a submit would (the same 4xx for the same
 * mistakes), reads the connected hosts, the module's measured run times and the queue
 * ahead from the store, keeps the hosts that could run the job now (requirements,
 * deadline, price ceiling; not quarantined, quota left) and lets policy/quote-estimate.ts
 * work out the figures. Nothing is written or reserved.
 */

import { InvalidRequestError, type Quote, type QuoteRequest } from '@anygrid/protocol';
import {
  asksText,
  cheapestAsks,
  estimateQuote,
  type JobPlacement,
  placeable,
  priceFits,
  resolvePolicy,
  shapeOf,
} from '../policy/index.js';
import type { Principal, Store } from '../store/store.js';
import type { Diagnostics } from './diagnostics.js';

export class Quotes {
  constructor(
    private readonly store: Store,
    private readonly diagnostics: Diagnostics,
    /** The platform fee in basis points of the hosts' asks (docs/incentives.md). */
    private readonly feeBps = 0,
  ) {}

  async quote(_principal: Principal, req: QuoteRequest, now = Date.now()): Promise<Quote> {
    const policy = resolvePolicy(req.policy);
    const sent = Array.isArray(req.tasks) ? req.tasks.length : req.tasks;
    if (req.totalTasks !== undefined && req.totalTasks < sent) {
      throw new InvalidRequestError(
        `totalTasks ${req.totalTasks} is below the ${sent} tasks sent; leave it out or give the job's full count.`,
        { path: ['totalTasks'] },
      );
    }
    const tasks = req.totalTasks ?? sent;
    const shape = shapeOf(policy.limits.memoryBytes, req.requirements?.accelerators);
    const facts = await this.store.quoteFacts(
      req.module?.hash,
      this.diagnostics.connected(now),
      policy.priority,
      now,
      this.diagnostics.seenSince(now),
    );
    const size = {
      ...facts.size,
      ...(policy.estimatedOps === undefined ? {} : { estimatedOps: policy.estimatedOps }),
    };
    const placement: JobPlacement = {
      ...(req.requirements ? { requirements: req.requirements } : {}),
      ...(policy.pricing ? { pricing: policy.pricing } : {}),
      deadlineMs: policy.deadlineMs,
      size,
      shape,
    };
    const eligible = facts.hosts.filter((h) => h.usable && placeable(placement, h.caps));
    const figures = estimateQuote({
      policy,
      tasks,
      size,
      shape,
      hosts: eligible.map((h) => ({
        asks: h.caps.asks,
        reputation: h.caps.reputation,
        stake: h.caps.stake,
        speed: h.caps.speed,
        slots: h.slots,
      })),
      queuedAhead: facts.queuedAhead,
      feeBps: this.feeBps,
    });
    const messages: string[] = [];
    if (figures.sizeSource === 'limit') {
      messages.push(
        `The task size is unknown (no policy.estimatedOps, no measured runs of this module): a task counts as its whole wall-time limit of ${policy.limits.wallTimeMs / 1000} s, so cost and time are upper estimates.`,
      );
    }
    if (facts.hosts.length === 0) {
      messages.push('No host is connected: no cost or time can be estimated but the maximum.');
    } else if (eligible.length === 0) {
      const over = facts.hosts.filter((h) => !priceFits(h.caps.asks, policy.pricing));
      const cheapest = cheapestAsks(
        facts.hosts.map((h) => h.caps.asks),
        shape,
      );
      if (policy.pricing && over.length === facts.hosts.length && cheapest) {
        messages.push(
          `Every connected host asks more than the price ceiling; the cheapest asks ${asksText(cheapest)}. The job would wait.`,
        );
      } else {
        messages.push(
          `None of the ${facts.hosts.length} connected hosts could run this job now (\`anygrid why\` says why once it is submitted).`,
        );
      }
    }
    return {
      tasks,
      replicasPerTask: figures.replicasPerTask,
      paid: policy.pricing !== undefined,
      ...(policy.pricing ? { tier: policy.pricing.tier } : {}),
      hosts: {
        connected: facts.hosts.length,
        eligible: eligible.length,
        slots: eligible.reduce((n, h) => n + h.slots, 0),
      },
      taskSeconds: figures.taskSeconds,
      sizeSource: figures.sizeSource,
      cost: figures.cost,
      completionSeconds: figures.completionSeconds,
      queuedAhead: facts.queuedAhead,
      messages,
    };
  }
}
