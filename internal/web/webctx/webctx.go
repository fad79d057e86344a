// Package webctx carries the signed-in user through a request's context,
// shared by the UI and the API.
package webctx

import (
	"context"

	"github.com/tribune-social/tribune/internal/store"
)

type userKey struct{}

// WithUser returns ctx carrying user.
func WithUser(ctx context.Context, u store.User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// User returns the signed-in user, if any.
func User(ctx context.Context) (store.User, bool) {
	u, ok := ctx.Value(userKey{}).(store.User)
	return u, ok
}
