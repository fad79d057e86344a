package ui

import "net/http"

// router is what routes registers on: an *http.ServeMux, or a recorder in
// the tests that walk every route.
type router interface {
	Handle(pattern string, handler http.Handler)
}

// routes is the UI's whole route table.
func (u *ui) routes(mux router) {
	// Accounts.
	mux.Handle("GET /{$}", u.public(u.home))
	mux.Handle("GET /setup", u.public(u.setupForm))
	mux.Handle("POST /setup", u.public(u.setup))
	mux.Handle("GET /login", u.public(u.loginForm))
	mux.Handle("POST /login", u.public(u.login))
	mux.Handle("POST /logout", u.page(u.logout))
	mux.Handle("GET /invite/{token}", u.public(u.inviteForm))
	mux.Handle("POST /invite/{token}", u.public(u.acceptInvite))
	mux.Handle("POST /settings/language", u.public(u.setLanguage))
	mux.Handle("GET /settings/tokens", u.page(u.tokens))
	mux.Handle("POST /settings/tokens", u.page(u.createToken))
	mux.Handle("POST /settings/tokens/{id}/revoke", u.page(u.revokeToken))
	mux.Handle("POST /settings/password", u.page(u.changePassword))
	mux.Handle("GET /forgot", u.public(u.forgotForm))
	mux.Handle("POST /forgot", u.public(u.forgot))
	mux.Handle("GET /reset/{token}", u.public(u.resetForm))
	mux.Handle("POST /reset/{token}", u.public(u.reset))
	mux.Handle("GET /notifications", u.page(u.notifications))
	mux.Handle("GET /status", u.page(u.status))

	// Calendar and lists.
	mux.Handle("GET /w/{ws}", u.page(u.workspaceHome))
	mux.Handle("GET /w/{ws}/calendar", u.page(u.calendarPage))
	mux.Handle("GET /w/{ws}/calendar/events", u.page(u.calendarEvents))
	mux.Handle("POST /w/{ws}/calendar/move", u.page(u.calendarMove))
	mux.Handle("POST /w/{ws}/calendar/ical", u.page(u.rotateICal))
	mux.Handle("POST /w/{ws}/calendar/share", u.page(u.rotateShare))
	mux.Handle("POST /w/{ws}/calendar/share/revoke", u.page(u.revokeShare))
	mux.Handle("GET /w/{ws}/queue", u.page(u.queuePage))
	mux.Handle("POST /w/{ws}/channels/{id}/queue/move", u.page(u.queueMove))
	mux.Handle("POST /w/{ws}/channels/{id}/queue/empty", u.page(u.queueEmpty))
	mux.Handle("GET /w/{ws}/posts", u.page(u.postList))
	mux.Handle("GET /w/{ws}/export.csv", u.page(u.exportCSV))
	mux.Handle("GET /w/{ws}/import", u.page(u.importForm))
	mux.Handle("POST /w/{ws}/import", u.page(u.importCSV))
	mux.Handle("GET /w/{ws}/import/progress", u.page(u.importStatus))

	// Composer and workflow.
	mux.Handle("GET /w/{ws}/compose", u.page(u.composeForm))
	mux.Handle("POST /w/{ws}/compose", u.page(u.composeSave))
	mux.Handle("POST /w/{ws}/compose/check", u.page(u.composeCheck))
	mux.Handle("POST /w/{ws}/compose/media", u.page(u.composeUpload))
	mux.Handle("GET /w/{ws}/compose/linkcard", u.page(u.composeLinkCard))
	mux.Handle("GET /w/{ws}/compose/linkcard/image", u.page(u.composeLinkCardImage))
	mux.Handle("GET /w/{ws}/posts/{id}", u.page(u.postDetail))
	mux.Handle("GET /w/{ws}/posts/{id}/edit", u.page(u.composeForm))
	mux.Handle("POST /w/{ws}/posts/{id}/edit", u.page(u.composeSave))
	mux.Handle("POST /w/{ws}/posts/{id}/{action}", u.page(u.postAction))
	mux.Handle("POST /w/{ws}/variants/{id}/retry", u.page(u.retryVariant))
	mux.Handle("GET /review/{token}", u.public(u.reviewPage))
	mux.Handle("POST /review/{token}", u.public(u.reviewDecide))

	// Community inbox.
	mux.Handle("GET /w/{ws}/inbox", u.page(u.inboxPage))
	mux.Handle("POST /w/{ws}/inbox/bulk", u.page(u.inboxBulk))
	mux.Handle("POST /w/{ws}/inbox/views", u.page(u.saveInboxView))
	mux.Handle("GET /w/{ws}/inbox/views/{id}", u.page(u.openInboxView))
	mux.Handle("POST /w/{ws}/inbox/views/{id}", u.page(u.renameInboxView))
	mux.Handle("POST /w/{ws}/inbox/views/{id}/delete", u.page(u.deleteInboxView))
	mux.Handle("GET /w/{ws}/inbox/conversations/{id}", u.page(u.inboxConversation))
	mux.Handle("POST /w/{ws}/inbox/items/{id}", u.page(u.inboxUpdate))
	mux.Handle("POST /w/{ws}/inbox/items/{id}/note", u.page(u.inboxNote))
	mux.Handle("POST /w/{ws}/inbox/items/{id}/act", u.page(u.inboxAct))
	// Live updates of open pages (internal/live).
	mux.Handle("GET /w/{ws}/events", u.page(u.liveEvents))
	mux.Handle("POST /w/{ws}/presence", u.page(u.livePresence))
	mux.Handle("POST /w/{ws}/inbox/items/{id}/responded", u.page(u.inboxResponded))
	mux.Handle("GET /w/{ws}/inbox/sla", u.page(u.inboxSLAPage))
	mux.Handle("POST /w/{ws}/inbox/sla", u.page(u.saveInboxSLA))
	mux.Handle("GET /w/{ws}/inbox/report", u.page(u.inboxReportPage))
	mux.Handle("GET /w/{ws}/inbox/report.csv", u.page(u.inboxReportCSV))
	mux.Handle("POST /w/{ws}/inbox/rule-actions/{id}/undo", u.page(u.inboxUndo))
	// Moderation rules and saved replies.
	mux.Handle("GET /w/{ws}/moderation", u.page(u.moderationPage))
	mux.Handle("POST /w/{ws}/moderation/rules", u.page(u.moderationSave))
	mux.Handle("POST /w/{ws}/moderation/rules/{id}", u.page(u.moderationSave))
	mux.Handle("POST /w/{ws}/moderation/rules/{id}/state", u.page(u.moderationRuleAct))
	mux.Handle("POST /w/{ws}/moderation/replies", u.page(u.moderationReply))
	mux.Handle("POST /w/{ws}/moderation/replies/{id}", u.page(u.moderationReply))

	// Contacts: one person across networks.
	mux.Handle("GET /w/{ws}/contacts", u.page(u.contactsPage))
	mux.Handle("GET /w/{ws}/inbox/authors/{id}/contact", u.page(u.contactByAuthor))
	mux.Handle("GET /w/{ws}/contacts/{id}", u.page(u.contactPage))
	mux.Handle("POST /w/{ws}/contacts/{id}", u.page(u.contactUpdate))
	mux.Handle("POST /w/{ws}/contacts/{id}/note", u.page(u.contactNote))
	mux.Handle("POST /w/{ws}/contacts/{id}/merge", u.page(u.contactMerge))
	mux.Handle("POST /w/{ws}/contacts/{id}/split", u.page(u.contactSplit))
	mux.Handle("GET /w/{ws}/contacts/{id}/export", u.page(u.contactExport))
	mux.Handle("POST /w/{ws}/contacts/{id}/erase", u.page(u.contactErase))

	// Listening analysis (internal/listen/analysis).
	mux.Handle("GET /w/{ws}/listen/dashboard", u.page(u.listenDashboard))
	mux.Handle("GET /w/{ws}/listen/mentions", u.page(u.listenMentions))
	mux.Handle("GET /w/{ws}/listen/mentions.csv", u.page(u.listenMentionsCSV))
	mux.Handle("POST /w/{ws}/inbox/items/{id}/reply", u.page(u.inboxReply))
	mux.Handle("POST /w/{ws}/inbox/items/{id}/reply/count", u.page(u.inboxReplyCount))

	// Channels, media, team, settings, crisis.
	mux.Handle("GET /w/{ws}/channels", u.page(u.channelsPage))
	mux.Handle("POST /w/{ws}/channels/{network}", u.page(u.connectChannel))
	mux.Handle("POST /w/{ws}/channels/{id}/queue", u.page(u.saveQueue))
	mux.Handle("POST /w/{ws}/channels/{id}/visibility", u.page(u.saveVisibility))
	mux.Handle("POST /w/{ws}/channels/{id}/refresh", u.page(u.refreshChannel))
	mux.Handle("POST /w/{ws}/channels/{id}/faults", u.page(u.saveFaults))
	mux.Handle("POST /w/{ws}/channels/{id}/audience", u.page(u.saveAudience))
	mux.Handle("POST /w/{ws}/channels/{id}/delete", u.page(u.deleteChannel))
	mux.Handle("GET /oauth/mastodon/callback", u.page(u.mastodonCallback))
	mux.Handle("GET /w/{ws}/media", u.page(u.mediaPage))
	mux.Handle("POST /w/{ws}/media", u.page(u.mediaUpload))
	mux.Handle("POST /w/{ws}/media/{id}", u.page(u.mediaDescribe))
	mux.Handle("GET /media/{id}", u.page(u.mediaFile))
	mux.Handle("GET /w/{ws}/team", u.page(u.teamPage))
	mux.Handle("POST /w/{ws}/team/invite", u.page(u.teamInvite))
	mux.Handle("POST /w/{ws}/team/{user}", u.page(u.teamRole))
	mux.Handle("GET /w/{ws}/webhooks", u.page(u.webhooksPage))
	mux.Handle("POST /w/{ws}/webhooks", u.page(u.createWebhook))
	mux.Handle("GET /w/{ws}/webhooks/{id}", u.page(u.webhookDetail))
	mux.Handle("POST /w/{ws}/webhooks/{id}", u.page(u.updateWebhook))
	mux.Handle("POST /w/{ws}/webhooks/{id}/secret", u.page(u.rotateWebhookSecret))
	mux.Handle("POST /w/{ws}/webhooks/{id}/test", u.page(u.testWebhook))
	mux.Handle("POST /w/{ws}/webhooks/{id}/delete", u.page(u.deleteWebhook))
	mux.Handle("GET /w/{ws}/settings", u.page(u.settingsPage))
	mux.Handle("POST /w/{ws}/settings", u.page(u.saveSettings))
	mux.Handle("POST /workspaces", u.page(u.createWorkspace))
	mux.Handle("GET /w/{ws}/crisis", u.page(u.crisisPage))
	mux.Handle("POST /w/{ws}/crisis/pause", u.page(u.pause))
	mux.Handle("POST /w/{ws}/crisis/resume", u.page(u.resume))
	mux.Handle("GET /ical/{file}", u.public(u.ical))
	mux.Handle("GET /shared/{token}", u.public(u.sharedPage))

	// The browser's own requests, and every other address.
	mux.Handle("GET /favicon.ico", u.public(u.favicon))
	mux.Handle("GET /", u.public(u.notFound))
}
