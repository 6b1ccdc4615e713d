#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#ifdef __linux__
#include <linux/magic.h>
#include <sys/vfs.h>
#endif
#include <unistd.h>

#include "interrupt.h"
#include "scope.h"
#include "strset.h"
#include "thread.h"
#include "util.h"

/*
 * Trees are written once, read once by the compiler and removed: on a disk
 * that is all metadata writes, 0.3-1.3 ms a file on this project's ext4
 * (mounted with discard), against 0.03 ms in memory. So when $TMPDIR does
 * not say where, they go to /dev/shm if it is a tmpfs with room to spare: a
 * container's 64 MiB default is not, a CI machine's half of its memory is.
 */
#define MEMORY_TMP "/dev/shm"
#define MEMORY_TMP_MIN_FREE (2ULL << 30)

static int roomy_memory_fs(const char *dir)
{
#ifdef __linux__
	struct statfs fs;

	if (statfs(dir, &fs) || fs.f_type != TMPFS_MAGIC || access(dir, W_OK | X_OK))
		return 0;
	return (unsigned long long)fs.f_bavail * (unsigned long long)fs.f_bsize >=
	       MEMORY_TMP_MIN_FREE;
#else
	(void)dir;
	return 0;
#endif
}

/* $TMPDIR, or NULL when it says nothing (unset or empty, for go as for us). */
static const char *tmpdir_env(void)
{
	const char *v = getenv("TMPDIR");

	return v && *v ? v : NULL;
}

int tmpdir_create(struct strbuf *out, struct err *err)
{
	const char *base = tmpdir_env();
	size_t len = out->len;

	if (!base) {
		base = "/tmp";
		if (roomy_memory_fs(MEMORY_TMP)) {
			strbuf_addstr(out, MEMORY_TMP "/escgate-XXXXXX");
			if (mkdtemp(out->buf))
				return 0;
			strbuf_setlen(out, len);   /* full after all: the disk will do */
		}
	}
	strbuf_addf(out, "%s/escgate-XXXXXX", base);
	if (!mkdtemp(out->buf)) {
		int e = errno;

		strbuf_setlen(out, len);
		return err_set(err, EXIT_ANALYSIS, "cannot create a temporary directory in '%s': %s",
			       base, strerror(e));
	}
	return 0;
}

/* "cannot WHAT 'path': why", with what to do when memory is what ran out. */
static int file_error(struct err *err, const char *what, const char *path, int e)
{
	/* under /dev/shm because tmpdir_create chose it, not because TMPDIR said so */
	int in_memory = !tmpdir_env() && !strncmp(path, MEMORY_TMP "/", sizeof(MEMORY_TMP));

	return err_set(err, EXIT_ANALYSIS, "cannot %s '%s': %s%s", what, path, strerror(e),
		       e == ENOSPC && in_memory ?
		       " (without TMPDIR the trees are written to memory: set TMPDIR to a directory with room)" :
		       "");
}

/*
 * Removing waits on the disk for every file on some filesystems (ext4
 * mounted with discard and without a journal frees each file's blocks
 * synchronously: 0.2 ms a file measured), so several threads remove at
 * once to overlap those waits.
 */
#define REMOVE_THREADS 8
#define REMOVE_PER_THREAD 16
#define REMOVE_BATCH 1024   /* files listed before they are removed: bounds the memory */

/* Paths that can go in any order, shared by the remover threads. */
struct remove_batch {
	char *const *paths;
	size_t nr;
	atomic_size_t next;
	int dirs;   /* rmdir rather than unlink */
};

static void *remove_worker(void *arg)
{
	struct remove_batch *b = arg;
	size_t i;

	while ((i = atomic_fetch_add(&b->next, 1)) < b->nr) {
		int r;

		do
			r = b->dirs ? rmdir(b->paths[i]) : unlink(b->paths[i]);
		while (r && errno == EINTR);
	}
	return NULL;
}

static void remove_paths(char *const *paths, size_t nr, int dirs)
{
	struct remove_batch b = { paths, nr, 0, dirs };
	pthread_t threads[REMOVE_THREADS - 1];
	size_t want = nr / REMOVE_PER_THREAD, n, i;

	if (want > REMOVE_THREADS - 1)
		want = REMOVE_THREADS - 1;
	for (n = 0; n < want; n++)
		if (thread_start(&threads[n], remove_worker, &b))
			break;
	remove_worker(&b);
	for (i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
}

/* What a removal has found: files (and links) to unlink, directories to remove after. */
struct removal {
	char **files;
	size_t nfiles, afiles;
	struct removal_dir {
		char *path;
		size_t level;
	} *dirs;
	size_t ndirs, adirs;
	dev_t dev;
};

static void removal_flush_files(struct removal *r)
{
	size_t i;

	remove_paths(r->files, r->nfiles, 0);
	for (i = 0; i < r->nfiles; i++)
		free(r->files[i]);
	r->nfiles = 0;
}

/*
 * Lists what is below path (a directory at level), never following a link
 * nor leaving the filesystem, and removes the files found so far whenever
 * there are REMOVE_BATCH of them.
 */
static void removal_list(struct removal *r, struct strbuf *path, size_t level)
{
	int fd = open(path->buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	size_t len = path->len;
	struct dirent *de;
	struct stat st;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_setlen(path, len);
		strbuf_addf(path, "/%s", de->d_name);
		if (lstat(path->buf, &st) || st.st_dev != r->dev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			removal_list(r, path, level + 1);
			continue;
		}
		ALLOC_GROW(r->files, r->nfiles + 1, r->afiles);
		r->files[r->nfiles++] = xstrdup(path->buf);
		if (r->nfiles == REMOVE_BATCH)
			removal_flush_files(r);
	}
	closedir(d);
	strbuf_setlen(path, len);
	ALLOC_GROW(r->dirs, r->ndirs + 1, r->adirs);
	r->dirs[r->ndirs].path = xstrdup(path->buf);
	r->dirs[r->ndirs].level = level;
	r->ndirs++;
}

static int cmp_deeper_first(const void *a, const void *b)
{
	size_t x = ((const struct removal_dir *)a)->level, y = ((const struct removal_dir *)b)->level;

	return x < y ? 1 : x > y ? -1 : 0;
}

void tmpdir_remove(const char *path)
{
	struct removal r = { 0 };
	struct strbuf sb = STRBUF_INIT;
	char **level = NULL;
	struct stat st;
	size_t i, j;

	if (!path || !*path || lstat(path, &st))
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	r.dev = st.st_dev;
	strbuf_addstr(&sb, path);
	removal_list(&r, &sb, 0);
	removal_flush_files(&r);
	/* directories a level at a time, deepest first: each is empty by its turn */
	qsort(r.dirs, r.ndirs, sizeof(*r.dirs), cmp_deeper_first);
	level = xcalloc(r.ndirs, sizeof(*level));
	for (i = 0; i < r.ndirs; i = j) {
		for (j = i; j < r.ndirs && r.dirs[j].level == r.dirs[i].level; j++)
			level[j - i] = r.dirs[j].path;
		remove_paths(level, j - i, 1);
	}
	for (i = 0; i < r.ndirs; i++)
		free(r.dirs[i].path);
	free(r.files);
	free(r.dirs);
	free(level);
	strbuf_release(&sb);
}

/* One path component that is safe to create inside our directory. */
static int safe_component(const char *name, size_t len)
{
	if (!len || (len == 1 && name[0] == '.') || (len == 2 && !memcmp(name, "..", 2)))
		return 0;
	if (memchr(name, '/', len) || memchr(name, '\\', len) || memchr(name, '\0', len))
		return 0;
	if (len == 4 && !strncasecmp(name, ".git", 4))
		return 0;
	return 1;
}

/* Every component of a '/'-separated relative path is safe. */
static int safe_path(const char *path)
{
	const char *p = path;

	if (*p == '/')
		return 0;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (!safe_component(p, n))
			return 0;
		p += n + (slash ? 1 : 0);
	}
	return 1;
}

/* A link target that, resolved lexically from the link's directory, stays in the tree. */
static int link_stays_inside(const char *relpath, const char *target, size_t tlen)
{
	int depth = 0;
	const char *p, *end = target + tlen;

	if (!tlen || target[0] == '/' || memchr(target, '\0', tlen))
		return 0;
	for (p = relpath; *p; p++)
		if (*p == '/')
			depth++;
	for (p = target; p < end;) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t n = slash ? (size_t)(slash - p) : (size_t)(end - p);

		if (n == 2 && !memcmp(p, "..", 2)) {
			if (--depth < 0)
				return 0;
		} else if (n && !(n == 1 && *p == '.')) {
			depth++;
		}
		p += n + (slash ? 1 : 0);
	}
	return 1;
}

/*
 * Symbolic links waiting to be made. They are made last, once no file is
 * written any more, so that nothing is ever written through one.
 */
struct link_list {
	char **rel, **target;
	size_t nr, alloc, talloc;
};

static void link_list_add(struct link_list *l, const char *rel, const char *target, size_t tlen)
{
	ALLOC_GROW(l->rel, l->nr + 1, l->alloc);
	ALLOC_GROW(l->target, l->nr + 1, l->talloc);
	l->rel[l->nr] = xstrdup(rel);
	l->target[l->nr] = xstrndup(target, tlen);
	l->nr++;
}

static void link_list_release(struct link_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		free(l->rel[i]);
		free(l->target[i]);
	}
	free(l->rel);
	free(l->target);
	memset(l, 0, sizeof(*l));
}

/* Whether path, resolved with every link followed, exists at or below root. */
static int resolves_inside(const char *root, const char *path)
{
	char *real = realpath(path, NULL);
	size_t n = strlen(root);
	int ok;

	ok = real && !strncmp(real, root, n) && (!real[n] || real[n] == '/');
	free(real);
	return ok;
}

/*
 * Makes the links below dest, then removes every one that does not
 * resolve to an existing path inside dest. The lexical check made when
 * they were listed is not enough on its own: links chain (a/up -> ..,
 * a/out -> up/.. leaves the tree one level per link). Removing a link can
 * only make others dangle, so the check runs until nothing changes.
 */
static int links_create(const char *dest, struct link_list *l, struct err *err)
{
	struct strbuf path = STRBUF_INIT;
	char *made = NULL, root[PATH_MAX];
	size_t i;
	int changed, ret = -1;

	if (!l->nr)
		return 0;
	if (!realpath(dest, root)) {
		err_set(err, EXIT_ANALYSIS, "cannot resolve '%s': %s", dest, strerror(errno));
		goto out;
	}
	made = xcalloc(l->nr, 1);
	for (i = 0; i < l->nr; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dest, l->rel[i]);
		if (!symlink(l->target[i], path.buf)) {
			made[i] = 1;
			continue;
		}
		/* a name that is taken (a hostile tree's duplicate entry) or whose directory was skipped */
		if (errno == EEXIST || errno == ENOENT || errno == ENOTDIR)
			continue;
		file_error(err, "create", path.buf, errno);
		goto out;
	}
	do {
		changed = 0;
		for (i = 0; i < l->nr; i++) {
			if (!made[i])
				continue;
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/%s", dest, l->rel[i]);
			if (resolves_inside(root, path.buf))
				continue;
			if (unlink(path.buf) && errno != ENOENT) {
				err_set(err, EXIT_ANALYSIS, "cannot remove '%s': %s", path.buf,
					strerror(errno));
				goto out;
			}
			made[i] = 0;
			changed = 1;
		}
	} while (changed);
	ret = 0;
out:
	free(made);
	strbuf_release(&path);
	return ret;
}

/* Creates path with data: 0, or 1 when the name is taken, or -1. */
static int write_file(const char *path, const void *data, size_t len, int executable,
		      struct err *err)
{
	const char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      executable ? 0755 : 0644);

	/* the name is taken: tree walks claim names first, so only a file already there */
	if (fd < 0 && errno == EEXIST)
		return 1;
	if (fd < 0)
		return file_error(err, "create", path, errno);
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;

			close(fd);
			return file_error(err, "write", path, e);
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd))
		return file_error(err, "write", path, errno);
	return 0;
}

/*
 * Creating a file costs 0.2-1.2 ms of system time on some filesystems
 * (ext4 mounted with discard), and that cost scales with CPUs: the walker
 * hands regular files to a few writer threads. Everything that touches
 * libgit2, the directories and the links stays on the walker, and names
 * are claimed there, in walk order, so threads never decide which of two
 * entries wins.
 */
#define WRITERS 4
#define WRITERS_FROM 32              /* files queued before threads start: small trees need none */
#define WRITE_QUEUE 64               /* files waiting, at most (>= WRITERS_FROM) */
#define WRITE_QUEUE_BYTES (64 << 20) /* and their content, unless one file is larger */
#define NOT_MADE SIZE_MAX

/* One file to create: the path and content are the job's own, not libgit2's. */
struct write_job {
	char *path, *data;
	size_t len;
	int executable;
	size_t made;   /* its index in tree_files.items, or NOT_MADE */
};

static void write_job_clear(struct write_job *job)
{
	free(job->path);
	free(job->data);
	memset(job, 0, sizeof(*job));
}

/* What one thread (a writer, or the walker writing itself) has to report. */
struct writer {
	struct write_pool *pool;
	pthread_t thread;
	struct err err;
	size_t *taken;   /* made indices of files not written: the name was taken */
	size_t ntaken, ataken;
};

struct write_pool {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	struct write_job queue[WRITE_QUEUE];
	size_t head, count, bytes;
	int started, done, stop;
	struct writer *failed;          /* the first writer whose write failed */
	struct writer writers[WRITERS];
	size_t nwriters;
	struct writer self;             /* the walker, when no thread could start */
};

static void write_pool_init(struct write_pool *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->not_empty, NULL);
	pthread_cond_init(&p->not_full, NULL);
	for (i = 0; i < WRITERS; i++) {
		strbuf_init(&p->writers[i].err.msg, 0);
		strbuf_init(&p->writers[i].err.detail, 0);
		p->writers[i].pool = p;
	}
	strbuf_init(&p->self.err.msg, 0);
	strbuf_init(&p->self.err.detail, 0);
	p->self.pool = p;
}

/* Writes one file for wr: -1 on failure, with wr->err set. */
static int write_job_run(struct write_job *job, struct writer *wr)
{
	int r = write_file(job->path, job->data, job->len, job->executable, &wr->err);

	if (r == 1 && job->made != NOT_MADE) {
		ALLOC_GROW(wr->taken, wr->ntaken + 1, wr->ataken);
		wr->taken[wr->ntaken++] = job->made;
	}
	return r < 0 ? -1 : 0;
}

/* Under the lock: the first failure stops every writer and the walker. */
static void write_pool_fail(struct write_pool *p, struct writer *wr)
{
	if (!p->failed)
		p->failed = wr;
	p->stop = 1;
	pthread_cond_broadcast(&p->not_empty);
	pthread_cond_broadcast(&p->not_full);
}

/* Under the lock: the oldest queued job. */
static void write_pool_pop(struct write_pool *p, struct write_job *job)
{
	*job = p->queue[p->head];
	p->head = (p->head + 1) % WRITE_QUEUE;
	p->count--;
	p->bytes -= job->len;
}

static void *writer_thread(void *arg)
{
	struct writer *wr = arg;
	struct write_pool *p = wr->pool;
	struct write_job job;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->count && !p->done && !p->stop)
			pthread_cond_wait(&p->not_empty, &p->lock);
		if (p->stop || !p->count)
			break;
		write_pool_pop(p, &job);
		pthread_cond_signal(&p->not_full);
		pthread_mutex_unlock(&p->lock);
		if (write_job_run(&job, wr)) {
			write_job_clear(&job);
			pthread_mutex_lock(&p->lock);
			write_pool_fail(p, wr);
			break;
		}
		write_job_clear(&job);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Writes what is queued on the calling thread (no writer thread runs): -1 on failure. */
static int write_pool_drain(struct write_pool *p)
{
	struct write_job job;
	int ret = 0;

	while (p->count && !p->stop) {
		write_pool_pop(p, &job);
		if (write_job_run(&job, &p->self)) {
			write_pool_fail(p, &p->self);
			ret = -1;
		}
		write_job_clear(&job);
	}
	return ret;
}

/* Starts the writers, as many as can be: with none, the walker writes. */
static void write_pool_start(struct write_pool *p)
{
	size_t n;

	p->started = 1;
	for (n = 0; n < WRITERS; n++)
		if (thread_start(&p->writers[n].thread, writer_thread, &p->writers[n]))
			break;
	p->nwriters = n;
}

/* Queues job (taking its buffers), or writes it with no writer: -1 once a write failed. */
static int write_pool_submit(struct write_pool *p, struct write_job *job)
{
	int ret = -1, start = 0;

	pthread_mutex_lock(&p->lock);
	while (p->nwriters && !p->stop && p->count &&
	       (p->count == WRITE_QUEUE || p->bytes + job->len > WRITE_QUEUE_BYTES))
		pthread_cond_wait(&p->not_full, &p->lock);
	if (p->stop) {
		write_job_clear(job);
		goto out;
	}
	p->queue[(p->head + p->count) % WRITE_QUEUE] = *job;
	p->count++;
	p->bytes += job->len;
	memset(job, 0, sizeof(*job));
	pthread_cond_signal(&p->not_empty);
	start = !p->started && (p->count >= WRITERS_FROM || p->bytes >= WRITE_QUEUE_BYTES);
	ret = 0;
out:
	pthread_mutex_unlock(&p->lock);
	if (!ret && start)
		write_pool_start(p);
	if (!ret && p->started && !p->nwriters)
		ret = write_pool_drain(p);
	return ret;
}

/* Whether a write failed: the walker stops queuing. */
static int write_pool_stopped(struct write_pool *p)
{
	int stop;

	pthread_mutex_lock(&p->lock);
	stop = p->stop;
	pthread_mutex_unlock(&p->lock);
	return stop;
}

/*
 * Writes what is still queued (unless abandon) and joins the writers.
 * -1 when a write failed, with its error moved into err (the first
 * error set wins).
 */
static int write_pool_finish(struct write_pool *p, int abandon, struct err *err)
{
	struct write_job job;
	size_t i;

	pthread_mutex_lock(&p->lock);
	p->done = 1;
	if (abandon)
		p->stop = 1;
	pthread_cond_broadcast(&p->not_empty);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nwriters; i++)
		pthread_join(p->writers[i].thread, NULL);
	p->nwriters = 0;
	if (!p->stop)
		write_pool_drain(p);   /* a small tree, or no thread could start */
	while (p->count) {
		write_pool_pop(p, &job);
		write_job_clear(&job);
	}
	if (!p->failed)
		return 0;
	return err_set(err, p->failed->err.status, "%s", p->failed->err.msg.buf);
}

static void writer_release(struct writer *wr)
{
	err_release(&wr->err);
	free(wr->taken);
}

/* After write_pool_finish(): no writer runs any more. */
static void write_pool_release(struct write_pool *p)
{
	size_t i;

	for (i = 0; i < WRITERS; i++)
		writer_release(&p->writers[i]);
	writer_release(&p->self);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->not_empty);
	pthread_cond_destroy(&p->not_full);
}

/*
 * Claims name for a walk: 1 when nobody had, 0 when an earlier entry took
 * it. Names are claimed in walk order, so of two entries with one name
 * the first wins whichever thread writes faster.
 */
static int name_claim(struct strmap *names, const char *name)
{
	int added;

	strmap_put(names, name, &added);
	return added;
}

static int is_real_dir(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && S_ISDIR(st.st_mode);
}

/* mkdir -p for the directories of relpath below dest. */
static int make_parents(const char *dest, const char *relpath, struct err *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = relpath, *slash;
	int ret = 0;

	strbuf_addstr(&sb, dest);
	while ((slash = strchr(p, '/'))) {
		strbuf_addch(&sb, '/');
		strbuf_add(&sb, p, (size_t)(slash - p));
		if (mkdir(sb.buf, 0755) && errno != EEXIST) {
			ret = file_error(err, "create", sb.buf, errno);
			break;
		}
		p = slash + 1;
	}
	strbuf_release(&sb);
	return ret;
}

void tree_files_release(struct tree_files *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nr; i++)
		free(f->items[i].rel);
	free(f->items);
	free(f->dir);
	memset(f, 0, sizeof(*f));
}

static int cmp_tree_file(const void *a, const void *b)
{
	const struct tree_file *x = a, *y = b;
	int c = git_oid_cmp(&x->oid, &y->oid);

	return c ? c : x->executable - y->executable;
}

/*
 * Files the go command may rewrite in place (go.mod and go.sum with
 * -mod=mod, go.work.sum): never shared, so one tree's build cannot change
 * another's.
 */
static int may_be_rewritten(const char *name)
{
	return !strcmp(name, "go.mod") || !strcmp(name, "go.sum") || !strcmp(name, "go.work") ||
	       !strcmp(name, "go.work.sum");
}

struct walk_ctx {
	git_repository *repo;
	const char *dest;
	struct err *err;
	struct strbuf path, rel, from;
	struct link_list links;
	const struct tree_files *reuse;
	struct tree_files *made;
	const struct scope_plan *scope;   /* what to write, or NULL for everything */
	struct strmap names;   /* the relative paths claimed so far */
	struct write_pool pool;
};

/*
 * Links path to a file of w->reuse with the same content and mode: 1 when
 * it did. A hard link allocates no inode and frees no blocks when removed,
 * which on some filesystems is most of the cost of a tree.
 */
static int link_same_file(struct walk_ctx *w, const char *name, const git_oid *oid,
			  int executable)
{
	struct tree_file key, *f;

	if (!w->reuse || !w->reuse->nr || may_be_rewritten(name))
		return 0;
	key.oid = *oid;
	key.executable = executable;
	f = bsearch(&key, w->reuse->items, w->reuse->nr, sizeof(key), cmp_tree_file);
	if (!f)
		return 0;
	strbuf_reset(&w->from);
	strbuf_addf(&w->from, "%s/%s", w->reuse->dir, f->rel);
	/* flags 0: a link is never followed; on any failure the file is written */
	return !linkat(AT_FDCWD, w->from.buf, AT_FDCWD, w->path.buf, 0);
}

/* Where record_made() will record name: NOT_MADE when it will not. */
static size_t made_index(struct walk_ctx *w, const char *name)
{
	return !w->made || may_be_rewritten(name) ? NOT_MADE : w->made->nr;
}

/*
 * Records a file this write creates, for another to link; one a writer
 * then finds taken is dropped by drop_taken().
 */
static void record_made(struct walk_ctx *w, const char *name, const git_oid *oid, int executable)
{
	struct tree_files *m = w->made;

	if (!m || may_be_rewritten(name))
		return;
	ALLOC_GROW(m->items, m->nr + 1, m->alloc);
	m->items[m->nr].oid = *oid;
	m->items[m->nr].executable = executable;
	m->items[m->nr].rel = xstrdup(w->rel.buf);
	m->nr++;
}

/* Drops from made the files a writer did not create: their name was taken (dest was not empty). */
static void drop_taken(struct tree_files *made, struct write_pool *p)
{
	struct writer *all[WRITERS + 1];
	size_t i, j, n = 0;

	for (i = 0; i < WRITERS; i++)
		all[n++] = &p->writers[i];
	all[n++] = &p->self;
	for (i = 0; i < n; i++) {
		for (j = 0; j < all[i]->ntaken; j++) {
			free(made->items[all[i]->taken[j]].rel);
			made->items[all[i]->taken[j]].rel = NULL;
		}
	}
	for (i = j = 0; i < made->nr; i++)
		if (made->items[i].rel)
			made->items[j++] = made->items[i];
	made->nr = j;
}

static int write_entry(const char *root, const git_tree_entry *entry, void *payload)
{
	struct walk_ctx *w = payload;
	const char *name = git_tree_entry_name(entry);
	git_filemode_t mode = git_tree_entry_filemode(entry);
	const git_oid *oid = git_tree_entry_id(entry);
	int executable = mode == GIT_FILEMODE_BLOB_EXECUTABLE;
	git_blob *blob = NULL;
	struct write_job job = { NULL };
	int ret = 0;

	if (interrupt_pending()) {
		err_set(w->err, EXIT_ANALYSIS, "interrupted");
		return -1;
	}
	if (write_pool_stopped(&w->pool))
		return -1;   /* a writer failed: its error is taken once they are joined */
	if (!safe_component(name, strlen(name)))
		return 1;   /* skip it, and below it */
	strbuf_reset(&w->rel);
	strbuf_addf(&w->rel, "%s%s", root, name);
	if (mode != GIT_FILEMODE_TREE && is_go_test(name))
		return 0;   /* go build never reads it (tree.h) */
	if (w->scope) {
		if (mode == GIT_FILEMODE_TREE && !scope_wants_dir(w->scope, w->rel.buf))
			return 1;
		if (mode != GIT_FILEMODE_TREE) {
			strbuf_reset(&w->path);
			strbuf_add(&w->path, root, *root ? strlen(root) - 1 : 0);
			if (!scope_wants_file(w->scope, w->path.buf, name))
				return 0;
		}
	}
	strbuf_reset(&w->path);
	strbuf_addf(&w->path, "%s/%s", w->dest, w->rel.buf);

	/* a hostile tree can name one path twice: the first entry walked wins (links come last) */
	if ((mode == GIT_FILEMODE_TREE || mode == GIT_FILEMODE_BLOB ||
	     mode == GIT_FILEMODE_BLOB_EXECUTABLE) && !name_claim(&w->names, w->rel.buf))
		return mode == GIT_FILEMODE_TREE ? 1 : 0;

	switch (mode) {
	case GIT_FILEMODE_TREE:
		if (!mkdir(w->path.buf, 0755))
			break;
		if (errno == EEXIST)
			return 1;   /* dest had it already: a taken name, as above */
		ret = file_error(w->err, "create", w->path.buf, errno);
		break;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
	case GIT_FILEMODE_LINK:
		if (mode != GIT_FILEMODE_LINK && link_same_file(w, name, oid, executable))
			break;
		if (git_blob_lookup(&blob, w->repo, oid)) {
			ret = err_set(w->err, EXIT_ANALYSIS, "cannot read blob of '%s': %s",
				      w->rel.buf, git_error_last()->message);
			break;
		}
		if (mode == GIT_FILEMODE_LINK) {
			size_t n = (size_t)git_blob_rawsize(blob);

			if (link_stays_inside(w->rel.buf, git_blob_rawcontent(blob), n))
				link_list_add(&w->links, w->rel.buf, git_blob_rawcontent(blob), n);
			break;
		}
		/* a copy of the content: writers never call libgit2 */
		job.len = (size_t)git_blob_rawsize(blob);
		job.data = xmalloc(job.len ? job.len : 1);
		memcpy(job.data, git_blob_rawcontent(blob), job.len);
		job.path = xstrdup(w->path.buf);
		job.executable = executable;
		job.made = made_index(w, name);
		ret = write_pool_submit(&w->pool, &job);
		if (!ret)
			record_made(w, name, oid, executable);
		break;
	default:
		break;   /* submodules are not part of this repository's build */
	}
	git_blob_free(blob);
	return ret ? -1 : 0;
}

int tree_write_commit(git_repository *repo, const git_commit *commit, const char *dest,
		      const struct tree_files *reuse, struct tree_files *made, struct err *err)
{
	return tree_write_commit_scoped(repo, commit, dest, NULL, reuse, made, err);
}

int tree_write_commit_scoped(git_repository *repo, const git_commit *commit, const char *dest,
			     const struct scope_plan *scope, const struct tree_files *reuse,
			     struct tree_files *made, struct err *err)
{
	struct walk_ctx w = { repo, dest, err, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, { NULL },
			      reuse, made, scope };
	git_tree *tree = NULL;
	int ret = -1, walked;

	write_pool_init(&w.pool);
	if (made) {
		tree_files_release(made);
		made->dir = xstrdup(dest);
	}
	if (git_commit_tree(&tree, commit)) {
		err_set(err, EXIT_ANALYSIS, "cannot read the tree of commit %s: %s",
			git_oid_tostr_s(git_commit_id(commit)), git_error_last()->message);
		goto out;
	}
	walked = git_tree_walk(tree, GIT_TREEWALK_PRE, write_entry, &w);
	/* every file is written (or abandoned) before the links, and before returning */
	if (write_pool_finish(&w.pool, walked != 0, err) || walked) {
		if (!err_is_set(err))
			err_set(err, EXIT_ANALYSIS, "cannot write the tree of commit %s: %s",
				git_oid_tostr_s(git_commit_id(commit)),
				git_error_last() ? git_error_last()->message : "unknown error");
		goto out;
	}
	if (made)
		drop_taken(made, &w.pool);
	if (links_create(dest, &w.links, err))
		goto out;
	if (made && made->nr)
		qsort(made->items, made->nr, sizeof(*made->items), cmp_tree_file);
	ret = 0;
out:
	git_tree_free(tree);
	strbuf_release(&w.path);
	strbuf_release(&w.rel);
	strbuf_release(&w.from);
	link_list_release(&w.links);
	strmap_release(&w.names, NULL);
	write_pool_release(&w.pool);
	return ret;
}

/*
 * Whether every directory of rel below workdir is a real directory: a
 * path the index lists can lead through a link made since (dir -> /etc),
 * and the file would then be read from outside the working tree.
 */
static int parents_are_dirs(const char *workdir, const char *rel)
{
	struct strbuf sb = STRBUF_INIT;
	const char *slash;
	int ok = 1;

	for (slash = strchr(rel, '/'); slash && ok; slash = strchr(slash + 1, '/')) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, workdir);
		strbuf_add(&sb, rel, (size_t)(slash - rel));
		ok = is_real_dir(sb.buf);
	}
	strbuf_release(&sb);
	return ok;
}

/* Copies one working-tree file; a path deleted on disk is simply absent. */
static int copy_worktree_file(const char *workdir, const char *dest, const char *rel,
			      struct strbuf *listing, struct link_list *links, struct err *err)
{
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT, data = STRBUF_INIT;
	struct stat st;
	git_oid oid;
	int ret = -1, fd = -1;
	char buf[65536];
	ssize_t n;

	if (!safe_path(rel) || is_go_test(rel) || !parents_are_dirs(workdir, rel))
		return 0;
	strbuf_addf(&src, "%s%s", workdir, rel);
	strbuf_addf(&dst, "%s/%s", dest, rel);
	if (lstat(src.buf, &st)) {
		ret = 0;
		goto out;
	}
	if (make_parents(dest, rel, err))
		goto out;
	if (S_ISLNK(st.st_mode)) {
		n = readlink(src.buf, buf, sizeof(buf) - 1);
		if (n > 0 && link_stays_inside(rel, buf, (size_t)n)) {
			buf[n] = '\0';
			link_list_add(links, rel, buf, (size_t)n);
			strbuf_addf(listing, "120000 %s %s\n", buf, rel);
		}
		ret = 0;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = 0;
		goto out;
	}
	fd = open(src.buf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err_set(err, EXIT_ANALYSIS, "cannot read '%s': %s", src.buf, strerror(errno));
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(&data, buf, (size_t)n);
	if (n < 0) {
		err_set(err, EXIT_ANALYSIS, "cannot read '%s': %s", src.buf, strerror(errno));
		goto out;
	}
	if (write_file(dst.buf, data.buf, data.len, (st.st_mode & 0111) != 0, err) < 0)
		goto out;
	git_odb_hash(&oid, data.buf, data.len, GIT_OBJECT_BLOB);
	strbuf_addf(listing, "%o %s %s\n", (st.st_mode & 0111) ? 0100755 : 0100644,
		    git_oid_tostr_s(&oid), rel);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	strbuf_release(&src);
	strbuf_release(&dst);
	strbuf_release(&data);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tree_write_worktree(git_repository *repo, const char *dest, struct strbuf *content_id,
			struct err *err)
{
	git_status_options opts = GIT_STATUS_OPTIONS_INIT;
	git_status_list *status = NULL;
	git_index *index = NULL;
	struct strbuf listing = STRBUF_INIT;
	struct link_list links = { NULL };
	const char *workdir = git_repository_workdir(repo);
	char **paths = NULL;
	size_t npaths = 0, alloc = 0, i, count;
	git_oid oid;
	int ret = -1;

	if (!workdir) {
		err_set(err, EXIT_USAGE, "--worktree needs a working tree, and '%s' is bare",
			git_repository_path(repo));
		goto out;
	}
	/* Reading the index never writes it; status is asked not to refresh it either. */
	if (git_repository_index(&index, repo)) {
		err_set(err, EXIT_ANALYSIS, "cannot read the index: %s", git_error_last()->message);
		goto out;
	}
	count = git_index_entrycount(index);
	for (i = 0; i < count; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);

		if (e->mode == GIT_FILEMODE_COMMIT)
			continue;
		if (npaths && !strcmp(paths[npaths - 1], e->path))
			continue;   /* a conflicted path appears once per stage */
		ALLOC_GROW(paths, npaths + 1, alloc);
		paths[npaths++] = xstrdup(e->path);
	}
	opts.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		     GIT_STATUS_OPT_EXCLUDE_SUBMODULES | GIT_STATUS_OPT_NO_REFRESH;
	if (git_status_list_new(&status, repo, &opts)) {
		err_set(err, EXIT_ANALYSIS, "cannot list the working tree: %s",
			git_error_last()->message);
		goto out;
	}
	count = git_status_list_entrycount(status);
	for (i = 0; i < count; i++) {
		const git_status_entry *e = git_status_byindex(status, i);

		if (!(e->status & GIT_STATUS_WT_NEW) || !e->index_to_workdir)
			continue;
		ALLOC_GROW(paths, npaths + 1, alloc);
		paths[npaths++] = xstrdup(e->index_to_workdir->new_file.path);
	}
	if (npaths)
		qsort(paths, npaths, sizeof(*paths), cmp_str);
	for (i = 0; i < npaths; i++) {
		if (interrupt_pending()) {
			err_set(err, EXIT_ANALYSIS, "interrupted");
			goto out;
		}
		if (copy_worktree_file(workdir, dest, paths[i], &listing, &links, err))
			goto out;
	}
	if (links_create(dest, &links, err))
		goto out;
	git_odb_hash(&oid, listing.buf, listing.len, GIT_OBJECT_BLOB);
	strbuf_addstr(content_id, git_oid_tostr_s(&oid));
	ret = 0;
out:
	for (i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	git_status_list_free(status);
	git_index_free(index);
	strbuf_release(&listing);
	link_list_release(&links);
	return ret;
}
