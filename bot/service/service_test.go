package service_test

import (
	"context"
	"testing"

	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/bot/service"
	"github.com/daoyi-health/daoyi/corpus"
)

func TestService(t *testing.T) {
	h, err := corpus.DefaultHospital()
	if err != nil {
		t.Fatal(err)
	}
	r, err := corpus.LoadReplies()
	if err != nil {
		t.Fatal(err)
	}
	tx, err := bot.NewTexts(r, h)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := corpus.LoadServices(h)
	if err != nil {
		t.Fatal(err)
	}
	fallback := bot.SkillFunc(func(context.Context, *bot.Turn) (*bot.Reply, error) {
		return &bot.Reply{Text: "FALLBACK"}, nil
	})
	s := service.New(cat, fallback)
	ask := func(text string) *bot.Reply {
		t.Helper()
		rep, err := s.Handle(context.Background(), &bot.Turn{Message: bot.Message{Text: text}, Session: &bot.Session{}, Texts: tx})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}

	t.Run("ServicesInOrderOfMention", func(t *testing.T) {
		rep := ask("先交费再查报告")
		if len(rep.Cards) != 2 || rep.Cards[0].ID != "pay" || rep.Cards[1].ID != "report" {
			t.Fatalf("cards = %+v", rep.Cards)
		}
		if rep.Cards[0].URL != h.Links["pay"] || rep.Cards[1].URL != h.Links["report"] {
			t.Fatalf("cards do not link to the profile's pages: %+v", rep.Cards)
		}
	})
	t.Run("PlaceByAlias", func(t *testing.T) {
		rep := ask("抽血在哪里")
		if len(rep.Cards) != 1 || rep.Cards[0].Type != "location" || rep.Cards[0].Text != h.Locations["检验科"] {
			t.Fatalf("cards = %+v", rep.Cards)
		}
	})
	t.Run("ServiceWithItsPlaceOnce", func(t *testing.T) {
		rep := ask("停车场在哪")
		if len(rep.Cards) != 1 || rep.Cards[0].ID != "parking" {
			t.Fatalf("parking and its place should make one card: %+v", rep.Cards)
		}
	})
	t.Run("NothingKnownIsSearched", func(t *testing.T) {
		if rep := ask("我想了解一下你们医院的历史"); rep.Text != "FALLBACK" {
			t.Fatalf("reply = %+v", rep)
		}
	})
	t.Run("ServicesTheProfileLacksAreLeftOut", func(t *testing.T) {
		h2 := *h
		h2.Links = map[string]string{}
		for k, v := range h.Links {
			if k != "parking" {
				h2.Links[k] = v
			}
		}
		cat2, err := corpus.LoadServices(&h2)
		if err != nil {
			t.Fatal(err)
		}
		for _, sv := range cat2.Services {
			if sv.ID == "parking" {
				t.Fatal("a service without its page in the profile was kept")
			}
		}
	})
}
