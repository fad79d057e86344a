package sqlite

import (
	"container/list"
	"context"
	"database/sql/driver"
	"reflect"

	"modernc.org/sqlite"
)

// modernc.org/sqlite parses and plans a query's text on every call made
// without an explicit Prepare, which is how sqlc's code and River's driver
// call it: on the publishing hot path, parsing took 43% of the CPU (see
// docs/benchmarks.md). cachingConn keeps each connection's prepared
// statements by query text, most recently used first, and runs calls on
// them; the driver resets a statement when its rows close, ready for the
// next call.

// stmtCacheSize bounds the statements kept per connection: Tribune and River
// have about 200 distinct queries, a few with a variable IN list.
const stmtCacheSize = 256

// connector opens modernc.org/sqlite connections wrapped in a statement cache.
type connector struct {
	dsn string
	drv *sqlite.Driver
}

func (c connector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{rawConn: conn.(rawConn), byQuery: map[string]*list.Element{}, lru: list.New()}, nil
}

func (c connector) Driver() driver.Driver { return c.drv }

// rawConn is what database/sql uses of a modernc.org/sqlite connection.
type rawConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type cachedStmt struct {
	query string
	stmt  interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	// busy: rows of this statement are open; a call meanwhile (a query
	// inside a loop over rows) gets a statement of its own.
	busy bool
}

// cachingConn is used by one goroutine at a time, as database/sql promises
// of a driver.Conn (closing rows included).
type cachingConn struct {
	rawConn
	byQuery map[string]*list.Element
	lru     *list.List
}

// stmt returns the cached statement for query, preparing it on first use;
// nil when it cannot be had (the caller then runs query uncached, which
// reports any error in the query itself).
func (c *cachingConn) stmt(ctx context.Context, query string) *cachedStmt {
	if el, ok := c.byQuery[query]; ok {
		c.lru.MoveToFront(el)
		cs := el.Value.(*cachedStmt)
		if cs.busy {
			return nil
		}
		return cs
	}
	st, err := c.rawConn.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	s, ok := st.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		_ = st.Close()
		return nil
	}
	cs := &cachedStmt{query: query, stmt: s}
	c.byQuery[query] = c.lru.PushFront(cs)
	for el := c.lru.Back(); c.lru.Len() > stmtCacheSize && el != nil; {
		prev := el.Prev()
		if old := el.Value.(*cachedStmt); !old.busy {
			c.lru.Remove(el)
			delete(c.byQuery, old.query)
			_ = old.stmt.Close()
		}
		el = prev
	}
	return cs
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs := c.stmt(ctx, query)
	if cs == nil {
		return c.rawConn.ExecContext(ctx, query, args)
	}
	return cs.stmt.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs := c.stmt(ctx, query)
	if cs == nil {
		return c.rawConn.QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

// Close finalizes the cached statements, then closes the connection.
func (c *cachingConn) Close() error {
	for el := c.lru.Front(); el != nil; el = el.Next() {
		_ = el.Value.(*cachedStmt).stmt.Close()
	}
	c.lru.Init()
	clear(c.byQuery)
	return c.rawConn.Close()
}

// cachedRows frees its statement for the next call when closed, and passes
// on the column type information database/sql asks of the driver's rows.
type cachedRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.cs.busy = false
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
