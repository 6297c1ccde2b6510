package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/jobs"
	"github.com/newcitizens/rooted/internal/registry"
)

// Imports from the console are durable jobs (internal/jobs): the upload is
// streamed into the files table, an "import" job is queued, and the
// officer is sent to the job's page, which shows its progress until it is
// done and then the reconciliation. The job runs on whichever server's
// runner claims it, with the same ingest code as `rooted import`; a server
// that dies mid-job leaves it to another, which imports the files again
// from the start (each file is one transaction, so a file is applied whole
// or not at all, and a re-import of an applied file changes nothing).
//
// Who sees what: an import job, its uploads and its quarantine files are
// its officer's only — not even an admin's, since quarantine files hold
// full ID numbers, names and phone numbers. Anyone else gets "no such
// page". Every import, done or failed, is in the audit log (who, which
// files, the outcome), which admins and auditors read.

// jobImport is the kind of an import job.
const jobImport = "import"

// maxUpload bounds one upload (all its files): a city's full registry as
// XLSX is well under this.
const maxUpload = 512 << 20

// uploadTTL is how long an upload is kept should its job never run (a job
// removes its uploads when it ends); Options.QuarantineTTL how long a
// quarantine file may be downloaded.
const uploadTTL = 24 * time.Hour

// importInput is an import job's Input.
type importInput struct {
	Files []importUpload `json:"files"`
	Lang  string         `json:"lang"`
	Role  auth.Role      `json:"role"`
	IP    string         `json:"ip"`
}

type importUpload struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// importResult is an import job's Result: the files applied (all of them
// when the job is done; those before the failing one when it failed).
type importResult struct {
	Files []importedFile `json:"files"`
}

type importedFile struct {
	ImportedFile
	QuarantineID      string    `json:"quarantine_id,omitempty"` // file id; "" when nothing was quarantined
	QuarantineExpires time.Time `json:"quarantine_expires,omitzero"`
	Gone              bool      `json:"-"` // expired: shown without a link
}

// Importer applies uploaded files to the registry st, as `rooted import`
// does: cmd/rooted sets Options.Import to the file importer of
// internal/ingest. web does not import ingest itself, for adapters do not
// depend on each other (internal/archtest); it says here what it needs.
//
// The contract is ingest.ImportSources': files of no known kind or that
// cannot be read fail the whole import with an apperr.Invalid error naming
// the file before anything is written; each file is then applied in one
// transaction, and on any later error the files already applied are
// returned with it.
type Importer func(ctx context.Context, st registry.Store, req ImportRequest) ([]ImportedFile, error)

// ImportRequest is what an import job asks of the Importer.
type ImportRequest struct {
	Files         []ImportSource
	QuarantineDir string              // where the quarantine files go (created if missing)
	Today         date.Date           // the day "not in the future" is judged against
	FactKinds     []registry.FactKind // the fact kinds a facts row may have
	Lang          string              // of the quarantine reasons: "zh" or "en"
	// Progress is called now and then with the rows of file read so far.
	Progress func(file string, rows int)
}

// ImportSource is one uploaded file: Path on this server, Name as its
// sender called it (errors and results name the file by it).
type ImportSource struct {
	Path string
	Name string
}

// ImportedFile is the outcome of one file. It is stored, as JSON, in an
// import job's result and read back for the job's page, so its names are
// kept as they are; its fields are those of ingest.FileResult, which
// cmd/rooted converts to it (a conversion that stops compiling if the two
// part). Read == Accepted + Quarantined.
type ImportedFile struct {
	File           string   `json:"file"` // base name
	Kind           string   `json:"kind"`
	Read           int      `json:"read"` // data rows, blank rows not counted
	Accepted       int      `json:"accepted"`
	Quarantined    int      `json:"quarantined"`
	QuarantineFile string   `json:"quarantine_file"`           // path on this server, "" when nothing was quarantined
	Changed        int64    `json:"changed"`                   // rows the store inserted or changed
	IgnoredColumns []string `json:"ignored_columns,omitempty"` // header cells no column of the kind matches
}

type importData struct {
	Error string // a catalogue key or a sentence
	Jobs  []jobs.Job
	Job   *jobView
}

// jobView is an import job as its page shows it.
type jobView struct {
	jobs.Job
	Files   []importedFile
	Names   []string
	Expired bool // its quarantine files have expired
}

func (s *server) importPage(w http.ResponseWriter, r *http.Request) {
	s.renderImport(w, r, http.StatusOK, importData{})
}

// renderImport renders the import page with the officer's recent jobs.
func (s *server) renderImport(w http.ResponseWriter, r *http.Request, status int, d importData) {
	list, err := s.st.Jobs(r.Context(), sessionOf(r).Name, jobImport, 10)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Jobs = list
	s.render(w, r, status, "import.html", "import.title", d)
}

// importUpload streams the uploaded spreadsheets into the files table,
// queues an import job and sends the officer to its page. Nothing is
// parsed in the request: it lasts as long as the upload does.
func (s *server) importUpload(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	// The route's limit (uploadLimit) bounds the body and gives the upload
	// as long as a slow office line needs.
	uploads, err := s.storeUploads(r, sess.Name)
	if err != nil {
		for _, u := range uploads {
			if err := s.st.DeleteFile(context.WithoutCancel(r.Context()), u.ID); err != nil {
				s.opt.Logger.Warn("import: could not delete an upload; the sweep removes it when it expires", "file", u.ID, "err", err)
			}
		}
		key := ""
		switch {
		case errors.As(err, new(*http.MaxBytesError)), apperr.Is(err, apperr.Invalid) && strings.Contains(err.Error(), "larger than"):
			key = "import.too_large"
		case errors.Is(err, errBadType):
			key = "import.bad_type"
		case errors.Is(err, errNoFile):
			key = "import.no_file"
		case apperr.Is(err, apperr.Invalid) || errors.Is(err, errUnreadableUpload):
			key = "import.unreadable"
		default:
			s.fail(w, r, err)
			return
		}
		s.act(r, "import", "upload refused: "+uploadNames(uploads, r), "reason", key)
		s.renderImport(w, r, http.StatusBadRequest, importData{Error: key})
		return
	}
	lang := "zh"
	if langOf(r) == langEN {
		lang = "en"
	}
	in, _ := json.Marshal(importInput{Files: uploads, Lang: lang, Role: sess.Role, IP: s.clientIP(r)})
	j, _, err := s.st.Enqueue(r.Context(), jobs.Job{Kind: jobImport, Owner: sess.Name, Input: in}, s.opt.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/officer/import/jobs/"+strconv.FormatInt(j.ID, 10), http.StatusSeeOther)
}

var (
	errBadType          = errors.New("not a .csv or .xlsx file")
	errNoFile           = errors.New("no file")
	errUnreadableUpload = errors.New("unreadable upload")
)

// storeUploads streams each "files" part of r into the files table. It
// returns the files stored so far with any error, so that the caller can
// remove them.
func (s *server) storeUploads(r *http.Request, owner string) ([]importUpload, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errUnreadableUpload
	}
	var (
		out  []importUpload
		left int64 = maxUpload
	)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if errors.As(err, new(*http.MaxBytesError)) {
				return out, err
			}
			return out, errUnreadableUpload
		}
		if part.FormName() != "files" || part.FileName() == "" {
			part.Close()
			continue
		}
		name := filepath.Base(filepath.Clean("/" + part.FileName()))
		ext := strings.ToLower(filepath.Ext(name))
		if name == "/" || name == "." || (ext != ".csv" && ext != ".xlsx") {
			part.Close()
			return out, errBadType
		}
		f, err := s.st.CreateFile(r.Context(), jobs.File{Owner: owner, Name: name, ExpiresAt: s.opt.Now().Add(uploadTTL)}, part, left, s.opt.Now())
		part.Close()
		if err != nil {
			return out, err
		}
		left -= f.Size
		out = append(out, importUpload{ID: f.ID, Name: name})
	}
	if len(out) == 0 {
		return nil, errNoFile
	}
	return out, nil
}

// uploadNames names an upload's files for the audit log.
func uploadNames(ups []importUpload, r *http.Request) string {
	if len(ups) == 0 {
		return "(" + r.Header.Get("Content-Length") + " bytes)"
	}
	names := make([]string, len(ups))
	for i, u := range ups {
		names[i] = u.Name
	}
	return strings.Join(names, ", ")
}

// runImport is the handler of import jobs: it copies the uploads to a
// private folder (XLSX needs random access), imports them, stores the
// quarantine files for their officer, removes the folder and the uploads,
// and records the outcome in the audit log.
func (s *server) runImport(ctx context.Context, j jobs.Job, report func(jobs.Progress)) (any, error) {
	var in importInput
	if err := json.Unmarshal(j.Input, &in); err != nil {
		return nil, fmt.Errorf("import job %d: input: %w", j.ID, err)
	}
	names := make([]string, len(in.Files))
	for i, f := range in.Files {
		names[i] = f.Name
	}
	res, err := s.importJob(ctx, j, in, report)
	if ctx.Err() != nil {
		// Cut off (the server stops, or another took the job over): the
		// run that finishes the job records it.
		return res, err
	}
	outcome := "done"
	if err != nil {
		outcome = "failed: " + jobs.ShownError(err)
	}
	var read, accepted, quarantined int
	for _, f := range res.Files {
		read, accepted, quarantined = read+f.Read, accepted+f.Accepted, quarantined+f.Quarantined
	}
	object := fmt.Sprintf("import job %d: %s — %s (%d files applied: %d rows read, %d accepted, %d quarantined)",
		j.ID, strings.Join(names, ", "), outcome, len(res.Files), read, accepted, quarantined)
	e := auth.AuditEntry{At: s.opt.Now(), Actor: j.Owner, Role: in.Role, Action: "import", Object: object, IP: in.IP}
	if aerr := s.st.AppendAudit(context.WithoutCancel(ctx), e); aerr != nil {
		s.opt.Logger.Error("recording an import in the audit log", "job", j.ID, "err", aerr)
	}
	s.opt.Logger.Info("import", "user", j.Owner, "job", j.ID, "files", len(names), "outcome", outcome)
	if err == nil || apperr.Is(err, apperr.Invalid) {
		// The files are read: they are not needed again (an internal
		// failure keeps them until they expire, for a re-run).
		for _, f := range in.Files {
			if derr := s.st.DeleteFile(context.WithoutCancel(ctx), f.ID); derr != nil {
				s.opt.Logger.Error("removing an upload", "job", j.ID, "err", derr)
			}
		}
	}
	return res, err
}

func (s *server) importJob(ctx context.Context, j jobs.Job, in importInput, report func(jobs.Progress)) (importResult, error) {
	var res importResult
	dir, err := os.MkdirTemp(s.opt.WorkDir, "import-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	if s.opt.Import == nil {
		return res, apperr.E("web.import_job", apperr.Internal, "error.no_importer")
	}
	srcs := make([]ImportSource, len(in.Files))
	for i, u := range in.Files {
		path := filepath.Join(dir, fmt.Sprintf("%02d%s", i, strings.ToLower(filepath.Ext(u.Name))))
		if err := s.copyOut(ctx, u.ID, path); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return res, apperr.WrapE("web.import_run", apperr.Invalid, err, "error.upload_expired", u.Name)
			}
			return res, err
		}
		srcs[i] = ImportSource{Path: path, Name: u.Name}
	}
	report(jobs.Progress{Message: strings.Join(namesOf(in.Files), ", ")})
	total := 0
	files, err := s.opt.Import(ctx, s.st, ImportRequest{
		Files: srcs, QuarantineDir: filepath.Join(dir, "quarantine"), Today: s.opt.Today(), FactKinds: s.opt.FactKinds, Lang: in.Lang,
		Progress: func(file string, rows int) { report(jobs.Progress{Done: int64(total + rows), Message: file}) },
	})
	s.registryChanged()
	for _, f := range files {
		total += f.Read
		imp := importedFile{ImportedFile: f}
		imp.QuarantineFile = "" // a path on this server
		if f.QuarantineFile != "" {
			q, qerr := s.storeQuarantine(ctx, j.Owner, f.QuarantineFile)
			if qerr != nil {
				return res, qerr
			}
			imp.QuarantineID, imp.QuarantineExpires = q.ID, q.ExpiresAt
		}
		res.Files = append(res.Files, imp)
	}
	return res, err
}

func namesOf(ups []importUpload) []string {
	out := make([]string, len(ups))
	for i, u := range ups {
		out[i] = u.Name
	}
	return out
}

// copyOut writes stored file id to path (mode 0600).
func (s *server) copyOut(ctx context.Context, id, path string) error {
	_, rc, err := s.st.OpenFile(ctx, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600) //nolint:gosec // path is the job's own temp file, never from a request
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, rc); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// storeQuarantine moves a quarantine file into the files table, for owner.
func (s *server) storeQuarantine(ctx context.Context, owner, path string) (jobs.File, error) {
	f, err := os.Open(path) //nolint:gosec // path is the quarantine file the import just wrote in the job's temp folder
	if err != nil {
		return jobs.File{}, err
	}
	defer f.Close()
	now := s.opt.Now()
	return s.st.CreateFile(ctx, jobs.File{Owner: owner, Name: filepath.Base(path), ExpiresAt: now.Add(s.opt.QuarantineTTL)}, f, 1<<62, now)
}

// ownJob returns the import job named in the path if it is the signed-in
// officer's; any other is "no such page", as a job that does not exist.
func (s *server) ownJob(r *http.Request) (*jobView, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, apperr.E("web.import_job", apperr.NotFound, "err.no_page")
	}
	j, err := s.st.Job(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) || (err == nil && (j.Kind != jobImport || j.Owner != sessionOf(r).Name)) {
		return nil, apperr.E("web.import_job", apperr.NotFound, "err.no_page")
	}
	if err != nil {
		return nil, err
	}
	v := &jobView{Job: j}
	var in importInput
	if json.Unmarshal(j.Input, &in) == nil {
		v.Names = namesOf(in.Files)
	}
	var res importResult
	if len(j.Result) > 0 && json.Unmarshal(j.Result, &res) == nil {
		v.Files = res.Files
		now := s.opt.Now()
		for i, f := range v.Files {
			if f.QuarantineID != "" && !now.Before(f.QuarantineExpires) {
				v.Files[i].Gone, v.Expired = true, true
			}
		}
	}
	return v, nil
}

// importJobPage shows one import job: its progress while it runs (the
// status fragment polls itself), its reconciliation when it is done.
func (s *server) importJobPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.ownJob(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderImport(w, r, http.StatusOK, importData{Job: v})
}

// importJobStatus is the job's status fragment, for htmx polling.
func (s *server) importJobStatus(w http.ResponseWriter, r *http.Request) {
	v, err := s.ownJob(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.fragment(w, r, "import.html", "status", v)
}

// importQuarantine downloads a quarantine file from the files table: its
// officer only; an expired one is gone (410) with a sentence saying so.
func (s *server) importQuarantine(w http.ResponseWriter, r *http.Request) {
	f, rc, err := s.st.OpenFile(r.Context(), r.PathValue("token"))
	if apperr.Is(err, apperr.NotFound) {
		// Removed by the sweep, or never there: say both.
		s.errorPage(w, r, http.StatusNotFound, "import.quarantine_gone")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	if f.Owner != sessionOf(r).Name {
		s.fail(w, r, apperr.E("web.import_job", apperr.NotFound, "err.no_page"))
		return
	}
	if f.Expired(s.opt.Now()) {
		s.errorPage(w, r, http.StatusGone, "import.quarantine_expired")
		return
	}
	s.act(r, "download", "quarantine file "+f.Name)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
	w.Header().Set("Cache-Control", "no-store")
	if _, err := io.Copy(w, rc); err != nil {
		s.opt.Logger.Warn("sending a quarantine file", "err", err)
	}
}

// RegisterJobs registers the handlers of the jobs the web layer queues on
// r (imports), so that whichever server's runner claims a job can run it.
func (s *server) registerJobs(r *jobs.Runner) {
	r.Handle(jobImport, s.runImport)
}
