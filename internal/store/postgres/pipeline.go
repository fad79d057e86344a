package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pipeline is a transaction whose plain writes are queued and sent in one
// batch with the next statement that returns something, or with COMMIT. A
// transaction of plain writes costs one round trip to the server instead of
// one per statement plus BEGIN and COMMIT: on the publishing hot path that is
// most of the database time.
//
// A plain write is one of sqlc's ":exec" operations: they return nothing but
// an error, so the caller cannot tell whether it ran now or at commit, and an
// error inside a PostgreSQL transaction aborts it either way (the error is
// returned by the commit instead, and nothing is written). Everything else
// (reads, ":execrows", hand-written SQL, River inserts) first sends what is
// queued, inside a real transaction begun for the purpose.
type pipeline struct {
	conn    *pgx.Conn
	relaxed bool
	tx      pgx.Tx // begun at the first statement that cannot wait
	queued  *pgx.Batch
}

// sqlcName reads the name and kind of a sqlc operation from the
// "-- name: Name :kind" line sqlc starts each query's text with; both are
// empty for other SQL.
func sqlcName(sql string) (name, kind string) {
	line, _, _ := strings.Cut(sql, "\n")
	rest, ok := strings.CutPrefix(line, "-- name: ")
	if !ok {
		return "", ""
	}
	name, kind, _ = strings.Cut(strings.TrimSpace(rest), " ")
	return name, kind
}

func (p *pipeline) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if _, kind := sqlcName(sql); kind == ":exec" {
		p.queued.Queue(sql, args...)
		return pgconn.CommandTag{}, nil
	}
	tx, err := p.realTx(ctx)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	return tx.Exec(ctx, sql, args...)
}

// Query sends what is queued and the query in one batch.
func (p *pipeline) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	br, err := p.withQueued(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return nil, errors.Join(err, br.Close())
	}
	return &batchRows{Rows: rows, br: br}, nil
}

// QueryRow sends what is queued and the query in one batch.
func (p *pipeline) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	br, err := p.withQueued(ctx, sql, args)
	if err != nil {
		return errRow{err}
	}
	return batchRow{row: br.QueryRow(), br: br}
}

// withQueued begins the transaction if needed and sends the queued writes
// followed by sql; the caller reads sql's result and closes the batch.
func (p *pipeline) withQueued(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	tx, err := p.begin(ctx)
	if err != nil {
		return nil, err
	}
	b := p.queued
	p.queued = &pgx.Batch{}
	n := b.Len()
	b.Queue(sql, args...)
	br := tx.SendBatch(ctx, b)
	for i := 0; i < n; i++ {
		if _, err := br.Exec(); err != nil {
			return nil, errors.Join(err, br.Close())
		}
	}
	return br, nil
}

type batchRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r *batchRows) Close() {
	r.Rows.Close()
	_ = r.br.Close() // the rows' own error is in Err
}

type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r batchRow) Scan(dest ...any) error {
	return errors.Join(r.row.Scan(dest...), r.br.Close())
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// begin begins the real transaction once.
func (p *pipeline) begin(ctx context.Context) (pgx.Tx, error) {
	if p.tx == nil {
		tx, err := p.conn.BeginTx(ctx, txOptions(p.relaxed))
		if err != nil {
			return nil, err
		}
		p.tx = tx
	}
	return p.tx, nil
}

// realTx begins the transaction if needed and sends what is queued.
func (p *pipeline) realTx(ctx context.Context) (pgx.Tx, error) {
	tx, err := p.begin(ctx)
	if err != nil || p.queued.Len() == 0 {
		return tx, err
	}
	b := p.queued
	p.queued = &pgx.Batch{}
	return tx, tx.SendBatch(ctx, b).Close()
}

func (p *pipeline) commit(ctx context.Context) error {
	if p.tx != nil {
		if _, err := p.realTx(ctx); err != nil {
			return errors.Join(err, ignoreClosed(p.tx.Rollback(context.WithoutCancel(ctx))))
		}
		return p.tx.Commit(ctx)
	}
	if p.queued.Len() == 0 {
		return nil // nothing was written
	}
	// Only plain writes: BEGIN, the writes and COMMIT in one round trip. If a
	// write fails, the server skips the rest, COMMIT included, and the
	// transaction is rolled back below.
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	if p.relaxed {
		b.Queue(relaxSQL)
	}
	b.QueuedQueries = append(b.QueuedQueries, p.queued.QueuedQueries...)
	b.Queue("COMMIT")
	p.queued = &pgx.Batch{}
	if err := p.conn.SendBatch(ctx, b).Close(); err != nil {
		return errors.Join(err, p.abort(ctx))
	}
	return nil
}

func (p *pipeline) rollback(ctx context.Context) error {
	p.queued = &pgx.Batch{}
	if p.tx != nil {
		return ignoreClosed(p.tx.Rollback(ctx))
	}
	return nil
}

// abort ends a batch's transaction that an error left open.
func (p *pipeline) abort(ctx context.Context) error {
	if p.conn.PgConn().TxStatus() == 'I' {
		return nil
	}
	_, err := p.conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	return err
}
