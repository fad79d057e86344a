// Package demo creates the demo organisation a newcomer sees on `make run`:
// a French brand with three Sandbox channels, a week of posts, published
// and scheduled through the real publishing path, and a Sandbox audience
// that comments on them, so that the inbox is lively from the first minute.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
)

// Credentials of the demo owner.
const (
	Email    = "demo@tribune.local"
	Password = "tribune-demo"
)

// Seed fills an empty installation. It returns false when users already exist.
func Seed(ctx context.Context, st store.Store, a *auth.Service, ch *channels.Service, p *posts.Service, now time.Time) (bool, error) {
	n, err := st.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	user, ws, err := a.SignUpOwner(ctx, auth.SignUpInput{Organization: "Agence Demo", Workspace: "Maison Lumière", Timezone: "Europe/Paris",
		Name: "Camille Martin", Email: Email, Password: Password, Locale: "fr"})
	if err != nil {
		return false, err
	}
	if err := st.UpdateWorkspaceSettings(ctx, store.UpdateWorkspaceSettingsParams{Name: ws.Name, Timezone: ws.Timezone, RequireApproval: false,
		DuplicateWindowHours: 24, ID: ws.ID}); err != nil {
		return false, err
	}
	var chs []store.Channel
	for _, name := range []string{"maisonlumiere", "lumiere-pro", "lumiere-events"} {
		c, err := ch.ConnectSandbox(ctx, user, ws.ID, name)
		if err != nil {
			return false, fmt.Errorf("demo channel %s: %w", name, err)
		}
		chs = append(chs, c)
	}
	// A lively audience from the first minute: the main channel hears from
	// about ten people a minute in French and English, mostly happy; the
	// two others, a few a minute. The posts published below at once give
	// them something to comment on and quote; until they land, the audience
	// mentions, writes and reviews.
	for i, c := range chs {
		a := sandbox.Audience{Rate: 3, Positive: 50, Neutral: 30, Negative: 20, Languages: []string{"fr", "en"}}
		if i == 0 {
			a = sandbox.Audience{Rate: 10, Positive: 55, Neutral: 25, Negative: 20, Languages: []string{"fr", "en"}}
		}
		if _, err := ch.SetSandboxAudience(ctx, user, c.ID, a); err != nil {
			return false, fmt.Errorf("demo audience %s: %w", c.Name, err)
		}
	}
	var slots []schedule.Slot
	for d := time.Monday; d <= time.Friday; d++ {
		slots = append(slots, schedule.Slot{Weekday: d, Minute: 9 * 60}, schedule.Slot{Weekday: d, Minute: 18*60 + 30})
	}
	if err := ch.SetQueue(ctx, user, chs[0].ID, slots); err != nil {
		return false, err
	}
	texts := []string{
		"Nouvelle collection automne : des lampes qui racontent une histoire. Découvrez-les en boutique ce week-end ! #design #lumiere",
		"Les coulisses de l’atelier : chaque abat-jour est cousu à la main à Lyon. 🧵",
		"Concours 🎁 : partagez votre coin lecture préféré avec #MaisonLumiere pour gagner une liseuse.",
		"Conseil du jour : une lumière chaude (2700 K) pour le salon, plus froide (4000 K) pour le bureau.",
		"Merci à nos 10 000 abonnés ! Un code promo arrive vendredi 😉",
		"Rencontrez nos artisans au salon Maison&Objet, stand B42.",
		"Webinaire jeudi 18 h : « Éclairer un petit espace ». Inscription en lien.",
		"Avant / après : la rénovation lumineuse d’un loft à Nantes.",
		"Nos ampoules LED consomment 80 % de moins. Le beau peut être sobre.",
		"Question du lundi : lampe de chevet ou liseuse murale ?",
	}
	tz := ws.Timezone
	loc, _ := time.LoadLocation(tz)
	for i, text := range texts {
		variants := []posts.VariantInput{{ChannelID: chs[i%3].ID, Text: text}}
		if i%4 == 0 {
			variants = append(variants, posts.VariantInput{ChannelID: chs[(i+1)%3].ID, Text: text})
		}
		in := posts.Input{Variants: variants, Tags: []string{[]string{"produit", "coulisses", "communauté"}[i%3]}, Timezone: tz}
		action := posts.DoSchedule
		if i < 3 {
			action = posts.PublishNow // goes out through the sandbox as soon as the workers start
		} else {
			day := now.In(loc).AddDate(0, 0, i-2)
			in.ScheduledLocal = time.Date(day.Year(), day.Month(), day.Day(), []int{9, 12, 18}[i%3], 30, 0, 0, loc).Format(schedule.LocalLayout)
		}
		if i == 9 {
			action = posts.SaveDraft
		}
		if _, err := p.Save(ctx, user, ws.ID, 0, in, action); err != nil {
			return false, fmt.Errorf("demo post %d: %w", i, err)
		}
	}
	return true, nil
}
