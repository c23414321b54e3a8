/* api_risk.c - the risk engine's live state in the server: the profile in
 * force (the newest stored version, loaded at start), the reference unit
 * values and operator scores built from the store at start and again on a
 * schedule by a thread of their own, and the snapshot each filing or batch
 * is assessed with (risk.h, "the live state").
 *
 * Filings never wait for a rebuild: the thread builds new tables over its
 * own read-only connection and publishes them; assessments in flight keep
 * the tables they started with.  Rule changes (api_rules.c) publish a new
 * profile the same way. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api_impl.h"
#include "mlv/log.h"
#include "mlv/riskstore.h"

void api_risk_begin(mlv_server *s, mlv_risk_snapshot *snap, mlv_validate_opts *vo)
{
	*vo = s->opts.validate;
	mlv_risk_live_acquire(s->live, snap);
	if (s->opts.validate.risk != NULL) {
		vo->risk = snap->profile;
		vo->refvalues = snap->refvalues;
		vo->opscores = snap->opscores;
	}
}

void api_risk_end(mlv_server *s, mlv_risk_snapshot *snap)
{
	mlv_risk_live_release(s->live, snap);
}

/* The profile in force at start: the newest stored version; with none
 * stored, the configured profile, stored as the first version. */
static int load_rules(mlv_server *s, char *err, size_t errlen)
{
	mlv_risk_profile *p = NULL;
	mlv_rules_version v;
	char e[512] = "";
	bool seeded = false;
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_riskstore_load_or_seed(s->actions, s->opts.rd, s->opts.validate.risk,
					    s->opts.risk_source, mlv_now_ms(), &p, &v, &seeded, e,
					    sizeof(e));
	pthread_mutex_unlock(&s->actions_lock);
	if (rc == 0)
		rc = mlv_risk_live_publish_profile(s->live, p, true);
	if (rc != 0) {
		mlv_risk_profile_free(p);
		snprintf(err, errlen,
			 "the risk rules cannot be loaded: %s (store a new version with "
			 "`mainlevee rules import FILE`)",
			 e[0] ? e : mlv_strerror(rc));
		return rc;
	}
	mlv_log(MLV_LOG_INFO, "risk rules", "version=%lld rules=%lld from=%s actor=\"%s\"",
		(long long)v.version, (long long)v.rules, seeded ? "configured" : "store", v.actor);
	return 0;
}

static bool stop_requested(void *ctx)
{
	mlv_server *s = ctx;
	return atomic_load(&s->refresh_stop);
}

/* Builds what the engine learns from the history and publishes it; with
 * !refvalues the reference values are left as they are. */
static int refresh(mlv_server *s, const char *why, bool refvalues)
{
	mlv_riskstore_opts o = MLV_RISKSTORE_OPTS_INIT;
	o.rd = s->opts.rd;
	o.currency = s->opts.validate.currency;
	o.min_samples = s->opts.refvalues_min_samples;
	o.opscore.half_life_days = (int)s->opts.opscore_half_life_days;
	o.opscore.prior_controls = (double)s->opts.opscore_prior_controls;
	o.stopping = stop_requested;
	o.stop_ctx = s;
	mlv_riskstore_stats a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	mlv_risk_refvalues *rv = NULL;
	mlv_risk_opscores *os = NULL;
	int rc = refvalues ? mlv_riskstore_refvalues(&rv, s->analytics, &o, &a) : 0;
	if (rc == 0)
		rc = mlv_riskstore_opscores(&os, s->analytics, &o, &b);
	if (rc == 0 && refvalues && (rc = mlv_risk_live_publish_refvalues(s->live, rv, true)) == 0)
		rv = NULL;
	if (rc == 0 && (rc = mlv_risk_live_publish_opscores(s->live, os, true)) == 0)
		os = NULL;
	mlv_risk_refvalues_free(rv);
	mlv_risk_opscores_free(os);
	if (rc != 0) {
		if (rc != MLV_EBUSY)
			mlv_log(MLV_LOG_WARN, "risk analytics not rebuilt",
				"reason=%s error=%s (the previous ones stay in force)", why,
				mlv_strerror(rc));
		return rc;
	}
	int64_t now = mlv_now_ms();
	pthread_mutex_lock(&s->refresh_lock);
	if (refvalues)
		s->refvalues_ms = now;
	s->opscores_ms = now;
	pthread_mutex_unlock(&s->refresh_lock);
	mlv_log(MLV_LOG_INFO, "risk analytics",
		"reason=%s consignments=%zu observations=%llu kept=%zu results=%llu operators=%zu "
		"seconds=%.2f",
		why, a.consignments, (unsigned long long)a.observations, a.kept,
		(unsigned long long)b.results, b.operators, a.seconds + b.seconds);
	return 0;
}

static void *refresher(void *arg)
{
	mlv_server *s = arg;
	pthread_mutex_lock(&s->refresh_lock);
	while (!atomic_load(&s->refresh_stop)) {
		struct timespec deadline;
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += (time_t)s->opts.refresh_s;
		int w = 0;
		while (!atomic_load(&s->refresh_stop) && w != ETIMEDOUT)
			w = pthread_cond_timedwait(&s->refresh_cond, &s->refresh_lock, &deadline);
		if (atomic_load(&s->refresh_stop))
			break;
		pthread_mutex_unlock(&s->refresh_lock);
		refresh(s, "schedule", true);
		pthread_mutex_lock(&s->refresh_lock);
	}
	pthread_mutex_unlock(&s->refresh_lock);
	return NULL;
}

int api_risk_start(mlv_server *s, char *err, size_t errlen)
{
	int rc = mlv_risk_live_new(&s->live);
	if (rc != 0)
		return rc;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&s->rules_lock, NULL);
	pthread_mutex_init(&s->refresh_lock, NULL);
	pthread_cond_init(&s->refresh_cond, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&s->refresh_stop, false);
	s->risk_ready = true;
	if (s->opts.validate.risk == NULL)
		return 0; /* this instance assesses no risk */
	if ((rc = load_rules(s, err, errlen)) != 0)
		return rc;
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = s->opts.db_path;
	so.read_only = true;
	if ((rc = mlv_store_open(&s->analytics, &so, err, errlen)) != 0)
		return rc;
	/* Reference values given by the caller (built before the server
	 * started) serve until the first scheduled rebuild. */
	bool given = s->opts.validate.refvalues != NULL;
	if (given &&
	    (rc = mlv_risk_live_publish_refvalues(s->live,
						  (mlv_risk_refvalues *)s->opts.validate.refvalues,
						  false)) != 0)
		return rc;
	if (given)
		s->refvalues_ms = mlv_now_ms();
	if ((rc = refresh(s, "start", !given)) != 0) {
		snprintf(err, errlen, "the risk analytics cannot be built from the store: %s",
			 mlv_strerror(rc));
		return rc;
	}
	if (s->opts.refresh_s > 0) {
		if (pthread_create(&s->refresher, NULL, refresher, s) != 0) {
			snprintf(err, errlen, "cannot start the risk analytics thread");
			return MLV_ENOMEM;
		}
		s->refresher_on = true;
	}
	return 0;
}

void api_risk_stop(mlv_server *s)
{
	if (!s->risk_ready)
		return;
	if (s->refresher_on) {
		pthread_mutex_lock(&s->refresh_lock);
		atomic_store(&s->refresh_stop, true);
		pthread_cond_signal(&s->refresh_cond);
		pthread_mutex_unlock(&s->refresh_lock);
		pthread_join(s->refresher, NULL);
		s->refresher_on = false;
	}
	mlv_store_close(s->analytics);
	s->analytics = NULL;
	mlv_risk_live_free(s->live);
	s->live = NULL;
	pthread_cond_destroy(&s->refresh_cond);
	pthread_mutex_destroy(&s->refresh_lock);
	pthread_mutex_destroy(&s->rules_lock);
	s->risk_ready = false;
}
