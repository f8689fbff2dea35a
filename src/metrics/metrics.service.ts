import { createServer, type Server } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { isLoopbackHost, metricsConfig, type MetricsConfig } from '../config/metrics.config.js';
import { pgPool } from '../database/prepared.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { MetricsToken } from './metrics-token.js';

/**
 * Prometheus metrics of this process: HTTP requests by route and status, security events (login
 * outcomes, refresh-token reuse, throttling), database pool use, and Node's own. One registry per
 * application, so several apps in one process (the tests) never collide.
 */
@Injectable()
export class MetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private readonly requests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly securityEvents = new Counter({
    name: 'auth_security_events_total',
    help: 'Security events: login_succeeded, login_failed, login_throttled, rate_limited, refresh_token_reuse, ...',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });
  private readonly unsubscribe: () => void;
  private server?: Server;

  constructor(
    dataSource: DataSource,
    @Inject(metricsConfig.KEY) private readonly config: MetricsConfig,
    private readonly adapterHost: HttpAdapterHost,
    events: SecurityEventsService,
  ) {
    this.unsubscribe = events.subscribe((event) => this.securityEvents.inc({ event }));
    collectDefaultMetrics({ register: this.registry });
    const pool = () => pgPool(dataSource);
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state: total, idle, and requests waiting for one',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const current = pool();
        if (!current) return;
        this.set({ state: 'total' }, current.totalCount);
        this.set({ state: 'idle' }, current.idleCount);
        this.set({ state: 'waiting' }, current.waitingCount);
      },
    });
  }

  /** Fastify `onResponse` hook: unmatched URLs share one label, so clients cannot mint series. */
  readonly observe = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    this.requests.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: reply.statusCode },
      reply.elapsedTime / 1000,
    );
    done();
  };

  /**
   * With METRICS_PORT, `/metrics` also on a listener of its own: open on loopback, behind
   * METRICS_TOKEN anywhere else (the configuration refuses such a host without one).
   */
  async onApplicationBootstrap(): Promise<void> {
    const { port, host, token } = this.config;
    // The server only: the CLI builds the same modules without HTTP, next to a running server.
    if (port === undefined || !this.adapterHost.httpAdapter) return;
    const required = token !== undefined && !isLoopbackHost(host) ? new MetricsToken(token) : undefined;
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      if (required && !required.accepts(request.headers.authorization)) {
        response.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
        return;
      }
      void this.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
    this.server = server;
    this.logger.log(`Metrics on http://${host}:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
