/* console_queue.c - the officers' queue page, /console/queue: what waits
 * for customs (open referrals, goods at the border not yet decided,
 * pre-arrival selections), highest risk first, with filters in a plain GET
 * form so that a filtered queue is a link an officer can share. */
#include <stdio.h>
#include <string.h>

#include "api_impl.h"
#include "mlv/dataset.h"
#include "mlv/refdata.h"
#include "problem.h"
#include "web.h"

#define PAGE_ROWS 50
#define PAGES_MAX 200

static const char *const states[] = {"", "assessed", "referred", "arrived", "held", "inspected"};
static const char *const lanes[] = {"", "yellow", "red", "hold", "green"};

struct rows {
	mlv_buf *b;
	int n;
};

static int row(void *ctx, const mlv_queue_row *qr)
{
	struct rows *q = ctx;
	mlv_buf *b = q->b;
	const mlv_summary *r = &qr->c;
	const char *lane = qr->lane;
	int score = qr->risk_score;
	char updated[32];
	api_ms_to_rfc3339(r->updated_at_ms, updated);
	q->n++;
	int rc = mlv_buf_printf(b, "<tr><td class=\"num\">%d</td><td><a href=\"/console/consignments/"
				   "%lld\">",
				score, (long long)r->id);
	if (rc == 0)
		rc = mlv_html_escape(b, r->lrn);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</a></td><td><span class=\"lane lane-");
	if (rc == 0)
		rc = mlv_html_escape(b, lane);
	if (rc == 0)
		rc = mlv_buf_adds(b, "\">");
	if (rc == 0)
		rc = mlv_html_escape(b, lane[0] ? lane : "none");
	if (rc == 0)
		rc = mlv_buf_adds(b, "</span></td><td>");
	if (rc == 0)
		rc = mlv_html_escape(b, r->status);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</td><td>");
	if (rc == 0)
		rc = mlv_html_escape(b, r->departure_country);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</td><td>");
	if (rc == 0)
		rc = mlv_html_escape(b, mlv_category_name(r->category));
	if (rc == 0)
		rc = mlv_buf_adds(b, "</td><td>");
	if (rc == 0)
		rc = mlv_html_escape(b, mlv_channel_name(r->channel));
	if (rc == 0)
		rc = mlv_buf_printf(b, "</td><td class=\"num\">%d</td><td>", r->item_count);
	if (rc == 0 && qr->open_referrals > 0) {
		char deadline[32];
		api_ms_to_rfc3339(qr->next_deadline_ms, deadline);
		rc = mlv_buf_printf(b, "%s%d open, due <time datetime=\"%s\">%.16s</time>%s",
				    qr->overdue ? "<strong class=\"error\">" : "",
				    qr->open_referrals, deadline, deadline,
				    qr->overdue ? " (overdue)</strong>" : "");
	}
	if (rc == 0)
		rc = mlv_buf_printf(b, "%s</td><td><time datetime=\"%s\">%.16s</time></td></tr>\n",
				    qr->multi_party ? " <span class=\"muted\">multi-party</span>" : "",
				    updated, updated);
	return rc;
}

/* A <select> of the allowed values ("" reads "all"), the current one selected. */
static int select_of(mlv_buf *b, const char *name, const char *label, const char *const *values,
		     size_t n, const char *current)
{
	int rc = mlv_web_select_begin(b, name, label);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = mlv_web_option(b, values[i], values[i][0] ? values[i] : "all",
				    strcmp(values[i], current) == 0);
	return rc ? rc : mlv_buf_adds(b, "</select></div>\n");
}

static bool one_of(const char *v, const char *const *values, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, values[i]) == 0)
			return true;
	return false;
}

/* Reads the filters; false (with a message) for a value outside its set. */
/* The filters as the form holds them; the store's query points into it. */
struct filter {
	char state[24];
	char lane[8];
	char origin[3];
	int min_score;
	bool overdue;
	int limit, offset;
};

static bool read_filter(mlv_server *s, mlv_req *req, struct filter *f, int64_t *page,
			const char **error)
{
	memset(f, 0, sizeof(*f));
	const char *v;
	*page = 1;
	if ((v = mlv_req_query(req, "state")) != NULL) {
		if (!one_of(v, states, MLV_ARRAY_LEN(states))) {
			*error = "Unknown state filter.";
			return false;
		}
		snprintf(f->state, sizeof(f->state), "%s", v);
	}
	if ((v = mlv_req_query(req, "lane")) != NULL) {
		if (!one_of(v, lanes, MLV_ARRAY_LEN(lanes))) {
			*error = "Unknown lane filter.";
			return false;
		}
		snprintf(f->lane, sizeof(f->lane), "%s", v);
	}
	if ((v = mlv_req_query(req, "origin")) != NULL && v[0] != '\0') {
		char up[3] = {0};
		for (size_t i = 0; i < 2 && v[i]; i++)
			up[i] = (char)(v[i] >= 'a' && v[i] <= 'z' ? v[i] - 32 : v[i]);
		if (strlen(v) != 2 || !mlv_country_exists(s->opts.rd, up)) {
			*error = "The origin filter is an ISO 3166 country code, such as CN.";
			return false;
		}
		memcpy(f->origin, up, 3);
	}
	int64_t n = 0;
	if ((v = mlv_req_query(req, "min_score")) != NULL && v[0] != '\0') {
		if (!api_parse_int(v, 0, 1000, &n)) {
			*error = "The minimum score is a whole number from 0 to 1000.";
			return false;
		}
		f->min_score = (int)n;
	}
	if ((v = mlv_req_query(req, "overdue")) != NULL)
		f->overdue = strcmp(v, "1") == 0;
	if ((v = mlv_req_query(req, "page")) != NULL && !api_parse_int(v, 1, PAGES_MAX, page)) {
		*error = "No such page.";
		return false;
	}
	f->limit = PAGE_ROWS;
	f->offset = (int)((*page - 1) * PAGE_ROWS);
	return true;
}

/* The query string of the filters, for the paging links. */
static int filter_query(mlv_buf *b, const struct filter *f, int64_t page)
{
	return mlv_buf_printf(b, "?state=%s&amp;lane=%s&amp;origin=%s&amp;min_score=%d%s&amp;"
				 "page=%lld",
			      f->state, f->lane, f->origin, f->min_score,
			      f->overdue ? "&amp;overdue=1" : "", (long long)page);
}

int api_console_queue(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	struct auth a;
	if (!api_console_person(s, req, resp, ROLES_OFFICERS, &a))
		return 0;
	struct filter f;
	int64_t page, total = 0;
	const char *error = NULL;
	bool good = read_filter(s, req, &f, &page, &error);
	resp->content_type = "text/html; charset=utf-8";
	if (!good)
		resp->status = 400;
	mlv_buf *b = &resp->body;
	int rc = api_console_begin(b, &a, "Queue", "/console/queue");
	if (rc == 0)
		rc = mlv_buf_adds(b, "<h1>Queue</h1>\n<p class=\"muted\">Consignments waiting for "
				     "customs, highest risk first: open referrals, goods at the border "
				     "not yet decided, and pre-arrival selections.</p>\n"
				     "<form class=\"filters\" method=\"get\" action=\"/console/queue\" "
				     "role=\"search\" aria-label=\"filters\">\n");
	if (rc == 0)
		rc = select_of(b, "state", "State", states, MLV_ARRAY_LEN(states), f.state);
	if (rc == 0)
		rc = select_of(b, "lane", "Lane", lanes, MLV_ARRAY_LEN(lanes), f.lane);
	if (rc == 0)
		rc = mlv_buf_printf(b, "<div><label for=\"f-origin\">Origin</label><input type=\"text\" "
				       "id=\"f-origin\" name=\"origin\" maxlength=\"2\" size=\"3\" "
				       "value=\"%s\" placeholder=\"CN\"></div>\n"
				       "<div><label for=\"f-min\">Minimum score</label><input "
				       "type=\"number\" id=\"f-min\" name=\"min_score\" min=\"0\" "
				       "max=\"1000\" value=\"%d\"></div>\n"
				       "<div><label><input type=\"checkbox\" name=\"overdue\" "
				       "value=\"1\" id=\"f-overdue\"%s> Overdue referrals only"
				       "</label></div>\n"
				       "<div><button type=\"submit\" data-key=\"f\">Filter</button> "
				       "<a href=\"/console/queue\">Clear</a></div>\n</form>\n",
				    f.origin, f.min_score, f.overdue ? " checked" : "");
	if (rc == 0 && error != NULL) {
		rc = mlv_buf_adds(b, "<p class=\"error\" role=\"alert\">");
		if (rc == 0)
			rc = mlv_html_escape(b, error);
		if (rc == 0)
			rc = mlv_buf_adds(b, "</p>\n");
	}
	struct rows q = {b, 0};
	if (rc == 0 && good) {
		mlv_buf rows_html = MLV_BUF_INIT((size_t)4 << 20);
		q.b = &rows_html;
		mlv_queue_query qq = {
			.limit = f.limit,
			.offset = f.offset,
			.state = f.state[0] ? f.state : NULL,
			.lane = f.lane[0] ? f.lane : NULL,
			.departure_country = f.origin[0] ? f.origin : NULL,
			.min_score = f.min_score,
			.overdue = f.overdue,
			.now_ms = mlv_now_ms(),
		};
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_queue_list(st, &qq, row, &q, &total);
		api_reader_release(s, st);
		if (rc == 0)
			rc = mlv_buf_printf(b, "<p id=\"queue-total\">%lld waiting%s</p>\n",
					    (long long)total,
					    total > PAGE_ROWS ? "; 50 a page" : "");
		if (rc == 0 && q.n == 0)
			rc = mlv_buf_adds(b, "<p class=\"notice\">Nothing waits with these filters.</p>\n");
		if (rc == 0 && q.n > 0) {
			rc = mlv_buf_adds(b, "<div class=\"table-wrap\"><table id=\"queue\">\n"
					     "<caption class=\"muted\">Highest risk first</caption>\n"
					     "<thead><tr><th class=\"num\" scope=\"col\">Score</th>"
					     "<th scope=\"col\">LRN</th><th scope=\"col\">Lane</th>"
					     "<th scope=\"col\">State</th><th scope=\"col\">Origin</th>"
					     "<th scope=\"col\">Category</th><th scope=\"col\">Channel"
					     "</th><th class=\"num\" scope=\"col\">Items</th>"
					     "<th scope=\"col\">Referrals</th>"
					     "<th scope=\"col\">Updated (UTC)</th></tr></thead>\n<tbody>\n");
			if (rc == 0)
				rc = mlv_buf_add(b, rows_html.data, rows_html.len);
			if (rc == 0)
				rc = mlv_buf_adds(b, "</tbody></table></div>\n");
		}
		mlv_buf_free(&rows_html);
		if (rc == 0 && (page > 1 || (int64_t)page * PAGE_ROWS < total)) {
			rc = mlv_buf_adds(b, "<nav aria-label=\"pages\" class=\"pages\">");
			if (rc == 0 && page > 1) {
				rc = mlv_buf_adds(b, "<a rel=\"prev\" href=\"/console/queue");
				if (rc == 0)
					rc = filter_query(b, &f, page - 1);
				if (rc == 0)
					rc = mlv_buf_adds(b, "\">Previous</a> ");
			}
			if (rc == 0 && (int64_t)page * PAGE_ROWS < total && page < PAGES_MAX) {
				rc = mlv_buf_adds(b, "<a rel=\"next\" href=\"/console/queue");
				if (rc == 0)
					rc = filter_query(b, &f, page + 1);
				if (rc == 0)
					rc = mlv_buf_adds(b, "\">Next</a>");
			}
			if (rc == 0)
				rc = mlv_buf_adds(b, "</nav>\n");
		}
	}
	if (rc == 0)
		rc = mlv_web_page_end(b);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}
