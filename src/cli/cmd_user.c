/* cmd_user.c - mainlevee user: people who sign in to the console and the
 * portal's members' part.  Passwords are read from standard input (one
 * line), never from the command line where other users could see them. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "mlv/store.h"

static const char *user_name, *user_display, *user_role = "officer", *user_filer;

const cli_flag user_flags[] = {
	{"username", "NAME", "the person's sign-in name (1 to 64 characters)", &user_name, NULL},
	{"name", "TEXT", "set: the name shown in the console (default: the username)",
	 &user_display, NULL},
	{"role", "ROLE", "set: officer (default), analyst, supervisor, auditor, agency, partner, "
			 "admin or filer", &user_role, NULL},
	{"filer", "NAME", "set: for a filer person, the filer (operator) it acts for", &user_filer,
	 NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

/* One line of standard input, without its newline. */
static int read_password(char *out, size_t size)
{
	if (fgets(out, (int)size, stdin) == NULL)
		return -1;
	out[strcspn(out, "\r\n")] = '\0'; /* a longer line fails the length check */
	return 0;
}

int cmd_user(int argc, char **argv, const mlv_config *cfg)
{
	if (argc != 1 || (strcmp(argv[0], "set") != 0 && strcmp(argv[0], "disable") != 0)) {
		fprintf(stderr, "mainlevee user: say 'set' or 'disable' (see --help)\n");
		return 2;
	}
	bool set = strcmp(argv[0], "set") == 0;
	if (user_name == NULL || user_name[0] == '\0' || strlen(user_name) > 64) {
		fprintf(stderr, "mainlevee user: --username NAME (1 to 64 characters) is required\n");
		return 2;
	}
	if (set && !mlv_store_role_valid(user_role)) {
		fprintf(stderr, "mainlevee user set: --role is one of officer, analyst, supervisor, "
				"auditor, agency, partner, admin, filer\n");
		return 2;
	}
	if (set && strcmp(user_role, "filer") == 0 && (user_filer == NULL || !user_filer[0])) {
		fprintf(stderr, "mainlevee user set: a filer person needs --filer NAME\n");
		return 2;
	}
	char password[1026] = "";
	if (set) {
		if (read_password(password, sizeof(password)) != 0) {
			fprintf(stderr, "mainlevee user set: give the password on standard input\n");
			return 2;
		}
		if (strlen(password) < 12 || strlen(password) > 1024) {
			fprintf(stderr, "mainlevee user set: the password must be 12 to 1024 characters\n");
			sodium_memzero(password, sizeof(password));
			return 2;
		}
	}
	char err[512] = "";
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = cfg->db_path;
	mlv_store *st = NULL;
	if (cli_make_parent_dir(cfg->db_path) != 0 || mlv_store_open(&st, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee user: cannot open the store %s: %s\n", cfg->db_path, err);
		sodium_memzero(password, sizeof(password));
		return 1;
	}
	int rc;
	if (set) {
		int64_t filer = 0;
		rc = user_filer != NULL && user_filer[0] ? mlv_store_filer_ensure(st, user_filer, &filer)
							 : 0;
		if (rc == 0)
			rc = mlv_store_user_set(st, user_name, user_display, password, user_role, filer);
		if (rc == 0)
			printf("user %s: role %s\n", user_name, user_role);
	} else {
		rc = mlv_store_user_disable(st, user_name);
		if (rc == 0)
			printf("user %s: disabled, sessions closed\n", user_name);
		else if (rc == MLV_ENOTFOUND)
			fprintf(stderr, "mainlevee user disable: no user %s\n", user_name);
	}
	sodium_memzero(password, sizeof(password));
	if (rc != 0 && rc != MLV_ENOTFOUND)
		fprintf(stderr, "mainlevee user: %s\n", mlv_strerror(rc));
	mlv_store_close(st);
	return rc == 0 ? 0 : 1;
}
