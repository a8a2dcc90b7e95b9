# model fuzz7025, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.transpose(x, 1, 3)
    def net1(h):
        h = F.avg_pool2d(h, 2, 1, 0)
        h = torch.tanh(h)
        h = F.conv2d(h, t["net1.2.weight"], t["net1.2.bias"], 1, 0, 2, 7)
        h = F.batch_norm(h, None, None, t["net1.3.weight"], t["net1.3.bias"], True, 0.1, 0.1)
        h = F.gelu(h)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.6.weight"], t["net1.6.bias"])
        h = torch.relu(h)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.9.weight"], t["net1.9.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.11.weight"], t["net1.11.bias"])
        h = torch.sigmoid(h)
        return h
    v2 = net1(torch.sigmoid(v1))
    v3 = torch.sqrt((torch.abs(torch.flatten(x, 1)) + torch.tensor(0.5)))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = F.elu(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        return h
    p1 = t["p1"]
    v4 = torch.matmul(torch.sigmoid(net2(v2)), p1)
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        return h
    v5 = torch.softmax(net3((v4 / (torch.sigmoid(v4) + torch.tensor(0.5)))), -1)
    v6 = torch.relu((-(-torch.log(((v5 * v5) + torch.tensor(1))))))
    v7 = torch.relu(p1)
    v8 = torch.softmax(torch.softmax(torch.sigmoid(v7), -1), -1)
    v9 = x[:, :, :, 4:7]
    p2 = t["p2"]
    v10 = torch.softmax(torch.sqrt((torch.abs((p1 / (torch.sigmoid(p2) + torch.tensor(0.5)))) + torch.tensor(0.5))), -1)
    p3 = t["p3"]
    logits = torch.matmul(torch.flatten(v9, 1), p3)
    return F.nll_loss(F.log_softmax(logits, -1), y)
