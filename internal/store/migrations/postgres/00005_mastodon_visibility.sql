-- What a Mastodon-compatible server really does with a status.
--
-- channels.text_counting: how the server counts a status's characters, read
-- from its instance document when the channel is connected. 'mastodon':
-- every link counts url_length (Mastodon); 'characters': every character,
-- links included (GoToSocial, Pleroma, Akkoma); '': the network's default.
--
-- channels.default_visibility: the visibility a post on this channel gets
-- when its author does not choose one (public, unlisted, private =
-- followers only, direct). Sent with every status, so the account's own
-- default on the server (GoToSocial makes new accounts "unlisted") never
-- decides. '' for networks without visibilities.
--
-- post_variants.visibility: the visibility chosen for this variant (the
-- channel's default when the author chose none), '' where the network has
-- none.

-- +goose Up
ALTER TABLE channels ADD COLUMN text_counting TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN default_visibility TEXT NOT NULL DEFAULT '';
ALTER TABLE post_variants ADD COLUMN visibility TEXT NOT NULL DEFAULT '';
-- Existing Mastodon channels were published to as "public" in spirit: make
-- it the explicit default (and that of their variants not yet sent).
UPDATE channels SET default_visibility = 'public' WHERE network = 'mastodon';
UPDATE post_variants SET visibility = 'public'
WHERE channel_id IN (SELECT id FROM channels WHERE network = 'mastodon');

-- +goose Down
ALTER TABLE post_variants DROP COLUMN visibility;
ALTER TABLE channels DROP COLUMN default_visibility;
ALTER TABLE channels DROP COLUMN text_counting;
